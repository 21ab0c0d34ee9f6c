"""Response tracking: actions linked to alerts, time from first alert to first action, gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import update

from vigil.errors import ConflictError, UsageError
from vigil.workspace import alerts
from vigil.workspace.database import Database
from vigil.workspace.responses import ActionInput, record_action, response_report, update_action
from vigil.workspace.users import User


def _alerts(db: Database, admin: User, when: dict[str, datetime]) -> dict[str, int]:
    frame = pd.DataFrame(
        [
            {
                "country": iso3,
                "iso3": iso3,
                "ccode": 0,
                "base_year": 2024,
                "model": "ewp",
                "probability": 0.5,
                "rank": n + 1,
            }
            for n, iso3 in enumerate(when)
        ]
    )
    with db.session() as session:
        alerts.add_rule(session, admin, "any", "forecast_threshold", {"threshold": 0.1})
        raised = {a.iso3: a.id for a in alerts.evaluate_forecasts(session, admin, frame, None)}
        for iso3, at in when.items():
            session.execute(
                update(alerts.Alert).where(alerts.Alert.id == raised[iso3]).values(created_at=at)
            )
    return raised


def test_the_report_measures_days_from_first_alert_to_first_action(
    db: Database, people: dict[str, User]
) -> None:
    raised = _alerts(
        db,
        people["admin"],
        {"MMR": datetime(2025, 1, 10, tzinfo=UTC), "SDN": datetime(2025, 2, 1, tzinfo=UTC)},
    )
    with db.session() as session:
        action = record_action(
            session,
            people["analyst"],
            ActionInput(
                iso3="MMR",
                type="public_statement",
                actor="UN Special Adviser",
                title="Statement",
                started_on=date(2025, 1, 24),
                alert_ids=(raised["MMR"],),
            ),
        )
        assert [a.id for a in action.alerts] == [raised["MMR"]]
    with db.session(write=False) as session:
        assert alerts.get_alert(session, people["viewer"], raised["MMR"]).state == "action_taken"
        report = response_report(session, people["viewer"])
    mmr, sdn = report.situations
    assert (mmr.iso3, mmr.days_to_first_action, mmr.alerts_without_action) == ("MMR", 14, [])
    assert (sdn.iso3, sdn.first_action_on, sdn.alerts_without_action) == (
        "SDN",
        None,
        [raised["SDN"]],
    )
    assert report.median_days_to_first_action == 14
    assert report.situations_without_action == ["SDN"]
    assert [item["kind"] for item in mmr.timeline] == ["alert", "action"]


def test_actions_are_checked_and_edits_need_the_current_version(
    db: Database, people: dict[str, User]
) -> None:
    analyst = people["analyst"]
    with pytest.raises(UsageError), db.session() as session:
        record_action(
            session,
            analyst,
            ActionInput(
                iso3="MMR", type="bombing", actor="x", title="x", started_on=date(2025, 1, 1)
            ),
        )
    with db.session() as session:
        action = record_action(
            session,
            analyst,
            ActionInput(
                iso3="MMR", type="mediation", actor="AU", title="Talks", started_on=date(2025, 1, 1)
            ),
        )
        update_action(
            session,
            analyst,
            action,
            expected_version=1,
            changes={"status": "completed", "outcome": "ceasefire"},
        )
        with pytest.raises(ConflictError):
            update_action(session, analyst, action, expected_version=1, changes={"outcome": "x"})
        assert (action.status, action.version) == ("completed", 2)
