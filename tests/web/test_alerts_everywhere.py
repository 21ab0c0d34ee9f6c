"""The alert rules raise the same alerts from the CLI, the REST API and the first-run seed.

All three run "forecast now and last year, then the rules" through one library call, at the
settings' seed; so one data directory per interface, with the same rules, ends up with the
same alerts, down to the probabilities recorded in each alert's detail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from vigil.api import create_app
from vigil.cli.main import app as cli
from vigil.settings import Settings
from vigil.web.seed import RULES, ensure_seeded
from vigil.workspace.alerts import Alert, add_rule
from vigil.workspace.database import Database, open_database
from vigil.workspace.migrations import upgrade
from vigil.workspace.users import add_user, issue_token, system_actor

#: A rule that compares this year's forecast with last year's, beside the seed's standing rules.
RISE = ("Rise of a tenth of a point", "forecast_rise", {"rise": 0.001}, "low")


def _workspace(home: Path) -> tuple[Database, str]:
    """A migrated workspace in ``home`` with an admin, the rules, and a reviewer's token."""
    db = open_database(Settings(home=home))
    upgrade(db)
    with db.session() as session:
        admin = add_user(session, system_actor, "chief", role="admin", password="not used here")
        for name, kind, params, severity in (*RULES, RISE):
            add_rule(session, admin, name, kind, params, severity=severity)
        reviewer = add_user(session, system_actor, "reviewer", role="reviewer")
        token = issue_token(session, system_actor, reviewer)
    return db, token


def _alerts(db: Database) -> list[tuple[Any, ...]]:
    with db.session(write=False) as session:
        rows = session.scalars(select(Alert).order_by(Alert.dedup_key))
        found = [
            (a.rule_id, a.kind, a.iso3, a.title, a.severity, a.dedup_key,
             json.dumps(a.detail, sort_keys=True))
            for a in rows
        ]  # fmt: skip
    db.dispose()
    return found


def test_cli_api_and_web_raise_identical_alerts(
    tmp_path: Path, snapshot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    web_db, _ = _workspace(tmp_path / "web")
    ensure_seeded(web_db, Settings(home=tmp_path / "web"), snapshot)
    web = _alerts(web_db)

    cli_db, _ = _workspace(tmp_path / "cli")
    monkeypatch.setenv("VIGIL_HOME", str(tmp_path / "cli"))
    done = CliRunner().invoke(cli, ["alerts", "evaluate"])
    assert done.exit_code == 0, done.output
    assert done.output.strip().endswith(f"{len(web)} new alert(s)")
    cli_alerts = _alerts(cli_db)

    api_db, token = _workspace(tmp_path / "api")
    application = create_app(Settings(home=tmp_path / "api"))
    with TestClient(application) as client:
        response = client.post(
            "/api/v1/alerts/evaluate", json={}, headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200, response.text
    api_alerts = _alerts(api_db)

    assert web, "the standing rules raise alerts on the bundled forecast"
    assert any(kind == "forecast_rise" for _, kind, *_ in web), "last year's forecast was used"
    assert cli_alerts == web
    assert api_alerts == web


def test_a_first_start_without_last_years_forecast_raises_the_same_alerts(
    tmp_path: Path, snapshot: Any, site_settings: Settings
) -> None:
    from vigil.risk.picture import load_picture
    from vigil.risk.table import load_table

    quick = load_picture(load_table(), tmp_path / "quick", seed=site_settings.seed, quick=True)
    assert not quick.complete and quick.forecast_frames()[1] is None
    done = []
    for name, picture in (("full", snapshot), ("quick", quick)):
        db, _ = _workspace(tmp_path / name)
        ensure_seeded(db, Settings(home=tmp_path / name), picture)
        done.append(_alerts(db))
    assert done[0] == done[1] and done[0]
