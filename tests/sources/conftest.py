"""Fixtures for the live-data tests: settings with short retries, and the three provider servers."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from providers import ENV, TOKEN, Acled, Gdelt, Ucdp, gdelt_files, ged_rows, serving
from workspace_databases import db, db_url

from vigil.events.store import EventStore
from vigil.events.synthetic import acled_file
from vigil.settings import Settings

__all__ = ["db", "db_url"]  # the workspace on SQLite and, when configured, PostgreSQL


@pytest.fixture
def settings(vigil_home: Path) -> Settings:
    """The test's data directory, one quick retry, a five-second timeout, feeds on loopback."""
    return Settings(
        home=vigil_home,
        sync_retries=1,
        sync_backoff=0.0,
        sync_timeout=5.0,
        sync_request_gap=0.0,
        outbound_allow="127.0.0.1",
    )


@pytest.fixture
def store(settings: Settings) -> EventStore:
    return EventStore.from_settings(settings)


@pytest.fixture
def ucdp() -> Iterator[tuple[Ucdp, str]]:
    """UCDP's GED API serving the 1,000 real GED 23.1 events as release 25.1, 250 per page."""
    provider = Ucdp(TOKEN, {"25.1": ged_rows()}, page_size=250)
    with serving(provider) as base:
        yield provider, f"{base}/api"


@pytest.fixture
def acled(tmp_path: Path) -> Iterator[tuple[Acled, str]]:
    """ACLED's API serving 400 ACLED-layout events, 150 per page."""
    path = acled_file(tmp_path / "acled.csv", 400, seed=3)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    provider = Acled(ENV["ACLED_USER"], ENV["ACLED_PASSWORD"], rows, page_size=150)
    with serving(provider) as base:
        yield provider, base


@pytest.fixture
def gdelt() -> Iterator[tuple[Gdelt, str]]:
    """GDELT's feed with the real 15-minute file split into four consecutive files."""
    provider = Gdelt(gdelt_files(4))
    with serving(provider) as base:
        yield provider, f"{base}/gdeltv2"
