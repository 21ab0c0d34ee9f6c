"""Errors tell callers what went wrong without telling them where Vigil is installed, and a
month parameter is bounded to the stored events (nothing is computed or cached beyond them)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import vigil
from vigil.errors import DataError, redact_paths

INSTALL = str(Path(vigil.__file__).resolve().parent)


def test_an_out_of_range_forecast_names_no_install_path(client: TestClient) -> None:
    response = client.get("/api/v1/forecasts", params={"base_year": 2100})
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "2100" in message and "vigil/data/ewp/" in message
    assert INSTALL not in message and sys.prefix not in message


def test_signal_months_outside_the_stored_events_are_refused_and_not_cached(
    client: TestClient, vigil_home: Path
) -> None:
    from vigil.events.bundled import ingest_bundled
    from vigil.events.store import EventStore

    store = EventStore(vigil_home / "events.duckdb")
    ingest_bundled(store)
    span = store.month_range()
    assert span is not None
    first, last = span
    for month in ("3001-01", "0001-01", "1900-01"):
        response = client.get("/api/v1/signals", params={"month": month})
        assert response.status_code == 400, response.text
        assert f"{first} to {last}" in response.json()["error"]["message"]
    assert client.get("/api/v1/signals", params={"month": last}).status_code == 200
    cache = client.app.state.forecast_cache  # type: ignore[attr-defined]
    assert [key[1] for key in cache if key[0] == "signals"] == [last]


@pytest.mark.parametrize(
    ("message", "home", "expected"),
    [
        (f"{INSTALL}/data/ewp/t.csv: bad", None, "vigil/data/ewp/t.csv: bad"),
        ("IO Error: cannot lock /srv/vigil/events.duckdb", Path("/srv/vigil"),
         "IO Error: cannot lock $VIGIL_HOME/events.duckdb"),
        ("cannot open /home/ana/secret/file.csv (row 3)", None, "cannot open <path> (row 3)"),
        ("fetch https://example.org/usr/feed failed", None,
         "fetch https://example.org/usr/feed failed"),
    ],
)  # fmt: skip
def test_redact_paths(message: str, home: Path | None, expected: str) -> None:
    assert redact_paths(message, home=home) == expected


def test_the_command_line_keeps_the_users_own_paths() -> None:
    error = DataError("bad row", path="/home/ana/table.csv", row=3)
    assert redact_paths(str(error), others=False) == "/home/ana/table.csv: bad row (row 3)"
