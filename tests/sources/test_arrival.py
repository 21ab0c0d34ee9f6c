"""Alerts on arrival: a sync that brings a reporting blackout raises the signal alert at once."""

from __future__ import annotations

from providers import ENV, SYRIA, TOKEN, Ucdp, blackout, ged_rows, serving

from vigil.events.store import EventStore
from vigil.settings import Settings
from vigil.sources import registry
from vigil.sources.arrival import alerts_on_arrival, changed_months
from vigil.sources.sync import sync, utcnow
from vigil.workspace.alerts import Alert, add_rule
from vigil.workspace.database import Database
from vigil.workspace.users import system_actor


def test_a_synced_blackout_raises_a_reporting_gap_alert(
    settings: Settings, store: EventStore, db: Database
) -> None:
    with db.session() as session:
        params = {"min_severity": "moderate", "signal": "reporting_gap:ucdp-ged"}
        add_rule(session, system_actor, "silence", "event_signal", params)
    provider = Ucdp(TOKEN, {"19.1": blackout(ged_rows(SYRIA))}, page_size=1000)
    with serving(provider) as base:
        root = f"{base}/api"
        spec = registry.make_spec(
            "ged", "ucdp-ged", url=root, release="19.1", token_env="UCDP_TOKEN"
        )
        registry.add(store, spec)
        (result,) = sync(settings, ["ged"], env=ENV, on_arrival=alerts_on_arrival(lambda: db))
    assert result.status == "ok" and result.through == "2019-11-30"
    with db.session(write=False) as session:
        alerts = session.query(Alert).all()
        assert [(a.iso3, a.detail["signal"], a.detail["month"]) for a in alerts] == [
            ("SYR", "reporting_gap:ucdp-ged", "2019-11")
        ]
    assert changed_months(store, utcnow()) == []
