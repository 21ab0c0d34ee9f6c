"""Fixtures for the event tests: the real sample files and a store in the test's own VIGIL_HOME."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from vigil.events.store import EventStore
from vigil.settings import Settings

FIXTURES = Path(__file__).parent.parent / "fixtures" / "events"
GED_SAMPLE = FIXTURES / "ged231-sample-1000.csv.gz"
SYRIA = FIXTURES / "ged191-syria-2016-2019.csv.gz"
GDELT = FIXTURES / "20250807220000.export.CSV.gz"


@pytest.fixture
def store(vigil_home: Path) -> EventStore:
    """An empty event store in the test's data directory."""
    return EventStore.from_settings(Settings(home=vigil_home))


@pytest.fixture
def plain_ged(tmp_path: Path) -> Path:
    """The GED 23.1 sample as a plain (uncompressed) CSV, as UCDP distributes it."""
    target = tmp_path / "ged231-sample-1000.csv"
    with gzip.open(GED_SAMPLE, "rb") as source, target.open("wb") as sink:
        shutil.copyfileobj(source, sink)
    return target


@pytest.fixture
def plain_gdelt(tmp_path: Path) -> Path:
    """The GDELT 15-minute file as GDELT publishes it (plain, tab-separated, no header)."""
    target = tmp_path / "20250807220000.export.CSV"
    with gzip.open(GDELT, "rb") as source, target.open("wb") as sink:
        shutil.copyfileobj(source, sink)
    return target


@pytest.fixture
def syria() -> Path:
    """Every GED 19.1 event in Syria 2016–2019 (41 columns, gzip)."""
    return SYRIA


@pytest.fixture
def ged_gz() -> Path:
    """The GED 23.1 1,000-event sample, gzip."""
    return GED_SAMPLE


@pytest.fixture
def gdelt_gz() -> Path:
    """The real GDELT 2.0 file, gzip (with a name that does not say so twice: ``.CSV.gz``)."""
    return GDELT
