"""The forecasts endpoint serves both horizons, each with its horizon in the provenance."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vigil.api.app import create_app
from vigil.settings import Settings


@pytest.mark.slow
def test_one_and_two_year_forecasts_are_served(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(home=tmp_path))) as client:
        one = client.get("/api/v1/forecasts?model=ewp&horizon=1&limit=200").json()
        two = client.get("/api/v1/forecasts?model=ewp&limit=200").json()
        bad = client.get("/api/v1/forecasts?horizon=3")
    assert one["provenance"]["parameters"]["horizon"] == 1
    assert two["provenance"]["parameters"]["horizon"] == 2
    assert one["total"] == two["total"] >= 160
    p_one = {r["ccode"]: r["probability"] for r in one["items"]}
    p_two = {r["ccode"]: r["probability"] for r in two["items"]}
    assert sum(p_one[c] < p_two[c] for c in p_two) > 0.9 * len(p_two)
    assert bad.status_code == 422
