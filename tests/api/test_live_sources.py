"""``/api/v1/sources`` lists the live sources with freshness and ``stale``; every response carries
the ``X-Vigil-Freshness`` header."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from clients import bearer
from fastapi.testclient import TestClient

from vigil.events.store import EventStore
from vigil.sources import registry
from vigil.sources.freshness import write_sidecar
from vigil.sources.registry import SourceState
from vigil.sources.sync import utcnow


def test_live_sources_are_listed_with_freshness_and_stale(
    client: TestClient, tokens: dict[tuple[str, str], str], vigil_home: Path
) -> None:
    store = EventStore(vigil_home / "events.duckdb")
    registry.add(store, registry.make_spec("ged", "ucdp-ged", token_env="UCDP_TOKEN"))
    registry.add(store, registry.make_spec("gdelt", "gdelt2", every="15m"))
    registry.add(store, registry.make_spec("acled", "acled", user_env="U", password_env="P"))
    hour_ago = utcnow() - timedelta(hours=1)
    for name, through in (("ged", date(2024, 12, 31)), ("gdelt", date(2025, 8, 7))):
        state = SourceState(name, {}, through, hour_ago, hour_ago, "ok", None)
        registry.save_state(store, state)
    write_sidecar(store)  # what every sync and every registry change does
    headers = bearer(tokens[("viewer", "public")])
    body = client.get("/api/v1/sources", headers=headers).json()
    live = {row["name"]: row for row in body if row["id"] is None}
    assert {name: row["stale"] for name, row in live.items()} == {
        "ged": False,  # weekly, synced an hour ago
        "gdelt": True,  # every 15 minutes, synced an hour ago
        "acled": True,  # never synced
    }
    assert live["ged"]["freshness"] == "events through 2024-12-31, last synced 1 h ago from ged"
    assert live["acled"]["freshness"] == "events through (none yet), never synced from acled"
    assert "UCDP_TOKEN" not in str(body)
    expected = "events through 2025-08-07, last synced 1 h ago from gdelt"
    assert client.get("/api/v1/sources", headers=headers).headers["x-vigil-freshness"] == expected
    assert client.get("/openapi.json").headers["x-vigil-freshness"] == expected


def test_without_live_sources_the_header_says_so(client: TestClient) -> None:
    header = client.get("/openapi.json").headers["x-vigil-freshness"]
    assert header.startswith("no live source configured")
