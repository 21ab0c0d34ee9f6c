"""Alerts: forecast, signal and assessment rules; deduplication; the life-cycle."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from vigil.errors import ConflictError, PermissionDeniedError, UsageError
from vigil.workspace import alerts as work
from vigil.workspace import assessments
from vigil.workspace.database import Database
from vigil.workspace.users import User


def _forecast(year: int, rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["country", "iso3", "probability"])
    frame["ccode"], frame["base_year"], frame["model"] = 0, year, "ewp"
    frame["rank"] = frame["probability"].rank(ascending=False, method="first").astype(int)
    return frame


BEFORE = _forecast(2023, [("Myanmar", "MMR", 0.20), ("Sudan", "SDN", 0.10), ("Chad", "TCD", 0.02)])
NOW = _forecast(2024, [("Myanmar", "MMR", 0.25), ("Sudan", "SDN", 0.05), ("Chad", "TCD", 0.12)])


def _rules(db: Database, admin: User, *specs: tuple[str, dict[str, object]]) -> None:
    with db.session() as session:
        for number, (kind, params) in enumerate(specs):
            work.add_rule(session, admin, f"rule {number}", kind, params, severity="high")


def test_forecast_rules_fire_on_threshold_entry_into_top_n_and_yearly_rise(
    db: Database, people: dict[str, User]
) -> None:
    _rules(
        db,
        people["admin"],
        ("forecast_threshold", {"threshold": 0.2}),
        ("forecast_top_n", {"n": 2}),
        ("forecast_rise", {"rise": 0.08}),
    )
    with db.session() as session:
        raised = work.evaluate_forecasts(session, people["admin"], NOW, BEFORE)
        fired = sorted((a.kind, a.iso3) for a in raised)
    assert fired == [
        ("forecast_rise", "TCD"),
        ("forecast_threshold", "MMR"),
        ("forecast_top_n", "TCD"),
    ]


def test_evaluating_the_same_forecast_twice_raises_nothing_new(
    db: Database, people: dict[str, User]
) -> None:
    _rules(db, people["admin"], ("forecast_threshold", {"threshold": 0.1}))
    with db.session() as session:
        first = work.evaluate_forecasts(session, people["admin"], NOW, None)
    with db.session() as session:
        again = work.evaluate_forecasts(session, people["admin"], NOW, None)
        assert len(first) == 2 and again == []
        assert work.list_alerts(session, people["viewer"])[1] == 2


def test_signal_rules_fire_above_the_minimum_severity(
    db: Database, people: dict[str, User]
) -> None:
    _rules(db, people["admin"], ("event_signal", {"min_severity": "high"}))
    signals = pd.DataFrame(
        [
            (
                "Sudan",
                "SDN",
                "North Darfur",
                "2024-05",
                "fatalities_surge",
                "critical",
                120,
                10,
                None,
            ),
            ("Sudan", "SDN", "Khartoum", "2024-05", "fatalities_surge", "moderate", 12, 10, None),
        ],
        columns=[
            "country",
            "iso3",
            "admin1",
            "month",
            "signal",
            "severity",
            "value",
            "baseline",
            "probability",
        ],
    )
    with db.session() as session:
        [alert] = work.evaluate_signals(session, people["admin"], signals)
        assert alert.iso3 == "SDN" and alert.detail["admin1"] == "North Darfur"
        assert work.evaluate_signals(session, people["admin"], signals) == []


def test_a_factor_newly_present_in_a_submitted_assessment_raises_an_alert(
    db: Database, people: dict[str, User]
) -> None:
    _rules(db, people["admin"], ("assessment_factor", {"level": "present"}))
    analyst = people["analyst"]
    ratings = [
        assessments.RatingInput("RF1.1", "present"),
        assessments.RatingInput("RF2.1", "present"),
    ]
    raised = []
    for day, given in ((1, ratings[:1]), (2, ratings)):
        with db.session() as session:
            a = assessments.create_assessment(
                session, analyst, "MMR", date(2025, 1, day), ratings=given
            )
            assessments.transition(session, analyst, a, "submitted", expected_version=1)
            raised.append(
                sorted(x.detail["factor_id"] for x in work.check_assessment(session, analyst, a))
            )
    assert raised == [["RF1"], ["RF2"]]


def test_alerts_follow_the_life_cycle_with_versions(db: Database, people: dict[str, User]) -> None:
    _rules(db, people["admin"], ("forecast_threshold", {"threshold": 0.2}))
    analyst = people["analyst"]
    with db.session() as session:
        [alert] = work.evaluate_forecasts(session, analyst, NOW, None)
        work.update_alert(
            session,
            analyst,
            alert,
            expected_version=1,
            state="acknowledged",
            assignee_id=analyst.id,
        )
        work.add_comment(session, analyst, alert, "watching", confidentiality="confidential")
        with pytest.raises(ConflictError, match="changed since"):
            work.update_alert(session, analyst, alert, expected_version=1, state="closed")
        with pytest.raises(ConflictError, match="cannot move"):
            work.update_alert(session, analyst, alert, expected_version=2, state="open")
        with pytest.raises(PermissionDeniedError):
            work.update_alert(session, people["viewer"], alert, expected_version=2, state="closed")
        work.update_alert(session, analyst, alert, expected_version=2, state="closed")
        assert (alert.state, alert.assignee_id) == ("closed", analyst.id)
        assert work.comments_for(people["public_analyst"], alert) == []
        assert len(work.comments_for(analyst, alert)) == 1


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("forecast_threshold", {}),
        ("forecast_top_n", {"n": "many"}),
        ("nonsense", {}),
        ("assessment_factor", {"level": "absent"}),
    ],
)
def test_malformed_rules_are_refused(
    db: Database, people: dict[str, User], kind: str, params: dict[str, object]
) -> None:
    with pytest.raises(UsageError), db.session() as session:
        work.add_rule(session, people["admin"], "bad", kind, params)


def test_only_admins_write_rules(db: Database, people: dict[str, User]) -> None:
    with pytest.raises(PermissionDeniedError), db.session() as session:
        work.add_rule(session, people["reviewer"], "r", "forecast_top_n", {"n": 3})
