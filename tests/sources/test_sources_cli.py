"""The command-line contract of ``vigil sources`` and ``vigil sync`` against local provider servers;
and ``kill -9`` in the middle of a real ``vigil sync`` process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from providers import CLI_ENV, ENV, Acled, Fault, Gdelt, Ucdp, page_is
from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.cli.workspace import open_workspace
from vigil.events.store import EventStore
from vigil.workspace.audit import AuditEntry

runner = CliRunner()
KEYS = [
    "source",
    "kind",
    "status",
    "error",
    "fetched",
    "ingested",
    "updated",
    "unchanged",
    "superseded",
    "quarantined",
    "through",
]


def vigil(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=CLI_ENV)
    return result.exit_code, result.stdout, result.stderr


def test_add_list_sync_remove(
    ucdp: tuple[Ucdp, str], acled: tuple[Acled, str], gdelt: tuple[Gdelt, str]
) -> None:
    (_, ucdp_root), (_, acled_root), (_, gdelt_root) = ucdp, acled, gdelt
    commands = [
        ["ged", "--kind", "ucdp-ged", "--url", ucdp_root, "--token-env", "UCDP_TOKEN"],
        ["acled", "--kind", "acled", "--url", acled_root, "--country", "SDN", "--country", "MLI"],
        ["gdelt", "--kind", "gdelt2", "--url", gdelt_root, "--every", "15m"],
    ]
    commands[1] += ["--user-env", "ACLED_USER", "--password-env", "ACLED_PASSWORD"]
    for command in commands:
        code, out, _ = vigil("sources", "add", *command)
        assert code == 0, out
    code, out, _ = vigil("sources", "list", "--json")
    listed = {row["name"]: row for row in json.loads(out)}
    assert listed["acled"]["countries"] == ["MLI", "SDN"] and listed["gdelt"]["every"] == "15m"
    assert all(row["stale"] and row["status"] is None for row in listed.values())
    code, out, err = vigil("sync", "--json")
    assert code == 0, err
    results = json.loads(out)
    assert [list(r) for r in results] == [KEYS] * 3
    assert {r["source"]: r["status"] for r in results} == dict.fromkeys(listed, "ok")
    code, out, _ = vigil("sources", "list", "--json")
    assert not any(row["stale"] for row in json.loads(out))
    assert "last synced" in json.loads(out)[0]["freshness"]
    assert vigil("sources", "remove", "gdelt")[0] == 0
    code, _, err = vigil("sources", "remove", "gdelt")
    assert code == 1 and "no source named 'gdelt'" in err
    with open_workspace().session(write=False) as session:
        logged = session.query(AuditEntry).filter(AuditEntry.entity == "live_source").all()
    assert [(e.action, e.entity_id) for e in logged] == [
        ("create", "ged"),
        ("create", "acled"),
        ("create", "gdelt"),
        ("delete", "gdelt"),
    ]
    assert "UCDP_TOKEN" in str(logged[0].after) and ENV["UCDP_TOKEN"] not in str(logged[0].after)


def test_sync_exits_1_when_a_source_fails_and_says_why(ucdp: tuple[Ucdp, str]) -> None:
    provider, root = ucdp
    vigil("sources", "add", "ged", "--kind", "ucdp-ged", "--url", root, "--token-env", "UCDP_TOKEN")
    provider.faults.append(Fault(page_is(1), status=500))
    code, out, _ = vigil("sync", "ged", "--json")
    (result,) = json.loads(out)
    assert code == 1 and result["status"] == "failed" and "HTTP 500" in result["error"]
    code, out, err = vigil("sync", "ged")
    assert code == 1 and "ged: failed" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x", "--kind", "nope"], "--kind 'nope'"),
        (["x", "--kind", "ucdp-ged"], "needs --token-env"),
        (["x", "--kind", "ucdp-ged", "--token-env", "T", "--release", "25"], "--release '25'"),
        (["x", "--kind", "acled", "--user-env", "U"], "needs --password-env"),
        (["x", "--kind", "gdelt2", "--country", "SDN"], "--country applies"),
        (["x", "--kind", "gdelt2", "--every", "2h"], "--every '2h'"),
        (["x", "--kind", "feed"], "needs --url"),
        (["x", "--kind", "gdelt2", "--url", "ftp://host/"], "http:// or https://"),
        (["x", "--kind", "gdelt2", "--since", "2025-13-01"], "--since"),
    ],
)
def test_a_bad_source_definition_is_one_line_on_stderr(args: list[str], message: str) -> None:
    code, _, err = vigil("sources", "add", *args)
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1


def test_kill_9_mid_sync_then_the_next_sync_completes_without_duplicates(
    vigil_home: Path, ucdp: tuple[Ucdp, str]
) -> None:
    provider, root = ucdp
    vigil("sources", "add", "ged", "--kind", "ucdp-ged", "--url", root, "--token-env", "UCDP_TOKEN")
    provider.faults.append(Fault(page_is(2), delay=60.0, times=1))  # hangs on the third page
    env = {**os.environ, **CLI_ENV, "VIGIL_HOME": str(vigil_home), "VIGIL_SYNC_BATCH_ROWS": "250"}
    command = [sys.executable, "-c", "from vigil.cli.main import run; run()", "sync", "--json"]
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not any(q.get("page") == "2" for _, _, q in provider.requests):
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
    store = EventStore(vigil_home / "events.duckdb")
    assert store.query("SELECT count(*) AS n FROM events")["n"][0] == 500  # two committed pages
    code, out, err = vigil("sync", "ged", "--json")
    assert code == 0, err
    assert json.loads(out)[0]["ingested"] == 500
    counts = store.query("SELECT count(*) AS n, count(DISTINCT source_id) AS ids FROM events")
    assert (counts["n"][0], counts["ids"][0]) == (1000, 1000)
