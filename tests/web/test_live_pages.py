"""Live data on the pages: the freshness line and stale badge on every page, the sources page, and
a reporting gap beside the escalation signals on the country page and in its brief."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from vigil.api import create_app
from vigil.events.store import EventStore
from vigil.settings import Settings
from vigil.sources import registry
from vigil.sources.freshness import write_sidecar
from vigil.sources.registry import SourceState
from vigil.sources.sync import utcnow
from vigil.web import routers


@pytest.fixture(scope="module")
def live(
    site_settings: Settings, snapshot: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The site on a seeded data directory whose GED events stop at 2019-11-30, with Syria
    silent from 1 to 29 November (a constructed blackout), and two live sources."""
    home = tmp_path_factory.mktemp("live-home")
    (home / "web").mkdir()
    for cached in (site_settings.home / "web").glob("snapshot-*.json"):
        shutil.copy(cached, home / "web" / cached.name)
    settings = Settings(home=home)
    app = create_app(settings, extra_routers=routers())
    with TestClient(app) as client:
        store = EventStore.from_settings(settings)
        with store.connect() as con:
            con.execute("DELETE FROM events WHERE date_start > DATE '2019-11-30'")
            con.execute(
                "DELETE FROM events WHERE iso3 = 'SYR' AND date_start BETWEEN "
                "DATE '2019-11-01' AND DATE '2019-11-29'"
            )
        registry.add(store, registry.make_spec("ged", "ucdp-ged", token_env="UCDP_TOKEN"))
        registry.add(store, registry.make_spec("gdelt", "gdelt2"))
        day_ago = utcnow() - timedelta(days=1)
        registry.save_state(
            store, SourceState("ged", {}, date(2019, 11, 30), day_ago, day_ago, "ok", None)
        )
        write_sidecar(store)
        app.state.web.activity.refresh(settings)
        app.state.web.pages.clear()
        yield client


def test_every_page_says_how_current_the_events_are(live: TestClient) -> None:
    for path in ("/", "/watchlist", "/models", "/countries/SYR", "/sources"):
        text = live.get(path).text
        assert "events through 2019-11-30, last synced 1 d ago from ged" in text
        assert "stale: gdelt" in text  # never synced


def test_the_sources_page_shows_each_sources_state(live: TestClient) -> None:
    text = live.get("/sources").text
    assert "never synced from gdelt" in text and 'badge high">stale' in text


def test_the_country_page_shows_the_reporting_gap_beside_the_signals(live: TestClient) -> None:
    text = live.get("/countries/SYR").text
    assert "Reporting gaps" in text
    assert "ucdp-ged events in 2019-11 where" in text and "possible blackout" in text
    assert "Reporting gaps" not in live.get("/countries/MMR").text


def test_the_country_brief_carries_the_gap_and_the_freshness(live: TestClient) -> None:
    text = live.get("/countries/SYR/brief").text
    assert "Reporting gaps:" in text
    assert "events through 2019-11-30" in text
