"""A ``kill -9`` in the middle of an ingest leaves the store exactly as it was.

A real ``vigil events ingest`` runs in a subprocess; the test reads its step log and sends SIGKILL
at each step — transaction just opened, file staged, merge under way — then reopens the store.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from vigil.events import EventStore, ingest
from vigil.events.synthetic import gdelt_file

FINGERPRINT = """SELECT count(*) AS n, sum(row_hash::HUGEINT) AS h,
    (SELECT count(*) FROM quarantine) AS q, (SELECT count(*) FROM ingests) AS i FROM events"""


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A GDELT-shaped file large enough that each ingest step lasts a noticeable while."""
    return gdelt_file(tmp_path_factory.mktemp("big") / "big.export.CSV", 300_000, seed=11)


@pytest.mark.parametrize("step", ["transaction open", "staged", "merging"])
def test_kill_9_mid_ingest_leaves_the_store_unchanged(
    store: EventStore, ged_gz: Path, gdelt_gz: Path, big_file: Path, vigil_home: Path, step: str
) -> None:
    ingest(store, [ged_gz], "ucdp-ged")
    ingest(store, [gdelt_gz], "gdelt2")
    before = store.query(FINGERPRINT)
    command = [sys.executable, "-c", "from vigil.cli.main import run; run()"]
    command += ["events", "ingest", str(big_file), "--format", "gdelt2", "--verbose", "--json"]
    env = {**os.environ, "VIGIL_HOME": str(vigil_home)}
    child = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert child.stderr is not None
    for raw in child.stderr:
        if raw.decode().startswith(step):
            os.kill(child.pid, signal.SIGKILL)
            break
    assert child.wait(timeout=120) == -signal.SIGKILL
    child.stderr.close()
    assert store.query(FINGERPRINT).equals(before)
    # The store still works after the crash.
    assert ingest(store, [ged_gz], "ucdp-ged").unchanged == 1000
