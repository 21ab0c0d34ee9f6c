"""Alerts: rules over forecasts, event signals and assessments, and the alert life-cycle.

A rule turns evidence into alerts; each alert has a deduplication key (rule, country and the
period or object that fired it), so re-running the rules never raises the same alert twice.
Alerts move open → acknowledged → action_taken → closed (closing is allowed from any state),
carry an assignee and comments, and every new alert is queued for notification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import pandas as pd
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from vigil.errors import ConflictError, NotFoundError, UsageError
from vigil.events.signals import SIGNAL_SEVERITY
from vigil.workspace import audit
from vigil.workspace.access import (
    Level,
    Principal,
    Role,
    parse_level,
    require_clearance,
    require_role,
    visible,
)
from vigil.workspace.database import Base, UTCDateTime, utcnow
from vigil.workspace.situations import check_iso3


class RuleKind(StrEnum):
    """What a rule watches."""

    forecast_threshold = "forecast_threshold"
    forecast_top_n = "forecast_top_n"
    forecast_rise = "forecast_rise"
    event_signal = "event_signal"
    assessment_factor = "assessment_factor"


class State(StrEnum):
    """Where an alert is in its life-cycle."""

    open = "open"
    acknowledged = "acknowledged"
    action_taken = "action_taken"
    closed = "closed"


SEVERITIES = ("low", "medium", "high")
NEXT_STATES: dict[str, set[str]] = {
    "open": {"acknowledged", "action_taken", "closed"},
    "acknowledged": {"action_taken", "closed"},
    "action_taken": {"closed"},
    "closed": set(),
}
#: Parameters each rule kind requires, with their type.
RULE_PARAMS: dict[str, dict[str, type]] = {
    "forecast_threshold": {"threshold": float},
    "forecast_top_n": {"n": int},
    "forecast_rise": {"rise": float},
    "event_signal": {"min_severity": str},
    "assessment_factor": {"level": str},
}


class AlertRule(Base):
    """A standing instruction to raise alerts."""

    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    severity: Mapped[str] = mapped_column(String(10), default="medium")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Alert(Base):
    """A warning that needs attention, and what has been done with it."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("alert_rules.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    iso3: Mapped[str] = mapped_column(String(3), index=True)
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    severity: Mapped[str] = mapped_column(String(10), default="medium")
    state: Mapped[str] = mapped_column(String(20), default=State.open.value, index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confidentiality: Mapped[str] = mapped_column(String(20), default=Level.public.value)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    comments: Mapped[list[AlertComment]] = relationship(
        back_populates="alert", order_by="AlertComment.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class AlertComment(Base):
    """A comment on an alert, with its own confidentiality."""

    __tablename__ = "alert_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    author: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    confidentiality: Mapped[str] = mapped_column(String(20), default=Level.public.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    alert: Mapped[Alert] = relationship(back_populates="comments")


# --- rules -------------------------------------------------------------------------------


def add_rule(
    session: Session,
    user: Any,
    name: str,
    kind: str,
    params: dict[str, Any],
    *,
    severity: str = "medium",
) -> AlertRule:
    """Create a rule after checking its kind and parameters."""
    require_role(user, Role.admin, "Creating an alert rule")
    try:
        kind = RuleKind(kind).value
    except ValueError as err:
        raise UsageError(f"rule kind {kind!r}: use one of {', '.join(RuleKind)}") from err
    if severity not in SEVERITIES:
        raise UsageError(f"severity {severity!r}: use one of {', '.join(SEVERITIES)}")
    clean = _check_params(kind, params)
    if session.scalar(select(AlertRule.id).where(AlertRule.name == name)) is not None:
        raise ConflictError(f"an alert rule named {name!r} exists already")
    rule = AlertRule(
        name=name, kind=kind, params=clean, severity=severity, enabled=True, created_at=utcnow()
    )
    session.add(rule)
    session.flush()
    audit.record(session, user, "create", "alert_rule", rule.id, after=audit.snapshot(rule))
    return rule


def _check_params(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    clean = dict(params)
    for key, kind_type in RULE_PARAMS[kind].items():
        if key not in params:
            raise UsageError(f"a {kind} rule needs the parameter {key!r}")
        try:
            clean[key] = kind_type(params[key])
        except (TypeError, ValueError) as err:
            raise UsageError(f"rule parameter {key!r} must be a {kind_type.__name__}") from err
    if kind == "event_signal" and clean["min_severity"] not in SIGNAL_SEVERITY:
        raise UsageError(
            f"an event_signal rule's min_severity is one of {', '.join(SIGNAL_SEVERITY)}"
        )
    if kind == "assessment_factor" and clean["level"] not in ("present", "strongly_present"):
        raise UsageError("an assessment_factor rule's level is 'present' or 'strongly_present'")
    return clean


def list_rules(session: Session, kind: str | None = None) -> list[AlertRule]:
    """All rules (optionally of one kind), enabled or not."""
    query = select(AlertRule).order_by(AlertRule.id)
    if kind:
        query = query.where(AlertRule.kind == kind)
    return list(session.scalars(query))


# --- raising alerts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """An alert a rule would raise, before deduplication."""

    rule: AlertRule
    iso3: str
    title: str
    detail: dict[str, Any]
    dedup_key: str
    confidentiality: str = Level.public.value


def raise_alerts(session: Session, actor: Any, candidates: list[Candidate]) -> list[Alert]:
    """Store the candidates not already raised; queue notifications for the new ones."""
    from vigil.workspace.notifications import enqueue

    keys = [c.dedup_key for c in candidates]
    seen = set(session.scalars(select(Alert.dedup_key).where(Alert.dedup_key.in_(keys))))
    created = []
    for cand in candidates:
        if cand.dedup_key in seen:
            continue
        seen.add(cand.dedup_key)
        now = utcnow()
        alert = Alert(
            rule_id=cand.rule.id,
            kind=cand.rule.kind,
            iso3=cand.iso3,
            title=cand.title,
            detail=cand.detail,
            severity=cand.rule.severity,
            state="open",
            confidentiality=cand.confidentiality,
            dedup_key=cand.dedup_key,
            created_at=now,
            updated_at=now,
        )
        session.add(alert)
        session.flush()
        audit.record(
            session,
            actor,
            "create",
            "alert",
            alert.id,
            after=audit.snapshot(alert),
            confidentiality=alert.confidentiality,
        )
        enqueue(session, alert, "opened")
        created.append(alert)
    return created


def forecast_candidates(
    rules: list[AlertRule], current: pd.DataFrame, previous: pd.DataFrame | None = None
) -> list[Candidate]:
    """What the forecast rules say about a forecast frame (and the year before, for rises).

    Frames have the columns of ``vigil.risk`` forecasts: country, iso3, base_year, model,
    probability, rank.
    """
    out: list[Candidate] = []
    prev = _by_iso3(previous)
    for rule in rules:
        if not rule.enabled or not rule.kind.startswith("forecast_"):
            continue
        for row in current.itertuples(index=False):
            fired = _forecast_fires(rule, row, prev.get(str(row.iso3)))
            if fired:
                out.append(_forecast_candidate(rule, row, fired))
    return out


def _by_iso3(frame: pd.DataFrame | None) -> dict[str, Any]:
    if frame is None or frame.empty:
        return {}
    return {str(row.iso3): row for row in frame.itertuples(index=False)}


def _forecast_fires(rule: AlertRule, row: Any, before: Any) -> str | None:
    p = float(row.probability)
    if rule.kind == "forecast_threshold" and p >= rule.params["threshold"]:
        return f"probability {p:.3f} is at or above {rule.params['threshold']:.3f}"
    n = rule.params.get("n", 0)
    entered = before is None or int(before.rank) > n
    if rule.kind == "forecast_top_n" and int(row.rank) <= n and entered:
        return f"entered the top {rule.params['n']} (rank {int(row.rank)})"
    if rule.kind == "forecast_rise" and before is not None:
        rise = p - float(before.probability)
        if rise >= rule.params["rise"]:
            return f"probability rose by {rise:.3f} to {p:.3f} in a year"
    return None


def _forecast_candidate(rule: AlertRule, row: Any, why: str) -> Candidate:
    detail = {
        "model": str(row.model),
        "base_year": int(row.base_year),
        "probability": float(row.probability),
        "rank": int(row.rank),
        "reason": why,
    }
    return Candidate(
        rule=rule,
        iso3=str(row.iso3),
        title=f"{row.country}: {why} ({row.model}, base year {int(row.base_year)})",
        detail=detail,
        dedup_key=f"rule{rule.id}:{row.iso3}:{row.model}:{int(row.base_year)}",
    )


def signal_candidates(rules: list[AlertRule], signals: pd.DataFrame) -> list[Candidate]:
    """What the event-signal rules say about a signals frame.

    Frames have the columns of ``vigil monitor``: country, iso3, admin1, month, signal,
    severity (low, moderate, high, critical), value, baseline, probability.
    """
    out = []
    rows: list[Any] = list(signals.itertuples(index=False))
    for rule in rules:
        if not rule.enabled or rule.kind != "event_signal":
            continue
        wanted, floor = rule.params.get("signal"), SIGNAL_SEVERITY[rule.params["min_severity"]]
        for row in rows:
            if SIGNAL_SEVERITY.get(str(row.severity), -1) < floor:
                continue
            if wanted and str(row.signal) != wanted:
                continue
            out.append(_signal_candidate(rule, row))
    return out


def _signal_candidate(rule: AlertRule, row: Any) -> Candidate:
    admin1 = str(row.admin1) if _present(row.admin1) else None
    place = f"{row.country}" + (f" ({admin1})" if admin1 else "")
    detail = {
        "signal": str(row.signal),
        "month": str(row.month),
        "severity": str(row.severity),
        "value": _number(row.value),
        "baseline": _number(row.baseline),
        "probability": _number(getattr(row, "probability", None)),
        "admin1": admin1,
    }
    return Candidate(
        rule=rule,
        iso3=str(row.iso3),
        title=f"{place}: {row.signal} ({row.severity}) in {row.month}",
        detail=detail,
        dedup_key=f"rule{rule.id}:{row.iso3}:{admin1 or ''}:{row.month}:{row.signal}",
    )


def _number(value: Any) -> float | None:
    return float(value) if _present(value) else None


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and value != ""


def assessment_candidates(
    session: Session, rules: list[AlertRule], assessment: Any
) -> list[Candidate]:
    """Factors newly present (or strongly present) in an assessment compared with the last one."""
    from vigil.workspace.assessments import content, previous_assessment, summarise

    now = {s.factor_id: s.level for s in summarise(content(assessment)["ratings"])}
    earlier = previous_assessment(session, assessment)
    before = (
        {s.factor_id: s.level for s in summarise(content(earlier)["ratings"])} if earlier else {}
    )
    order = ["unknown", "absent", "present", "strongly_present"]
    out = []
    for rule in rules:
        if not rule.enabled or rule.kind != "assessment_factor":
            continue
        level = rule.params["level"]
        factors = rule.params.get("factors") or list(now)
        for factor in factors:
            reached = order.index(now.get(factor, "unknown")) >= order.index(level)
            had = order.index(before.get(factor, "unknown")) >= order.index(level)
            if reached and not had:
                out.append(
                    Candidate(
                        rule=rule,
                        iso3=assessment.iso3,
                        title=f"{assessment.iso3}: risk factor {factor} newly {now[factor]} "
                        f"(assessment {assessment.id})",
                        detail={
                            "assessment_id": assessment.id,
                            "factor_id": factor,
                            "level": now[factor],
                            "previous": before.get(factor),
                        },
                        dedup_key=f"rule{rule.id}:{assessment.iso3}:a{assessment.id}:{factor}",
                        confidentiality=assessment.confidentiality,
                    )
                )
    return out


def check_assessment(session: Session, actor: Any, assessment: Any) -> list[Alert]:
    """Run the assessment rules on a submitted or reviewed assessment."""
    rules = list_rules(session, RuleKind.assessment_factor.value)
    return raise_alerts(session, actor, assessment_candidates(session, rules, assessment))


# --- reading and life-cycle ---------------------------------------------------------------


def visible_alerts(user: Principal) -> Any:
    """The base query of alerts ``user`` is cleared to see."""
    return select(Alert).where(visible(user, Alert.confidentiality))


def get_alert(session: Session, user: Principal, alert_id: int) -> Alert:
    """One alert, or not-found if missing or above the user's clearance."""
    found = session.scalar(visible_alerts(user).where(Alert.id == alert_id))
    if found is None:
        raise NotFoundError(f"no alert {alert_id}")
    return found


def list_alerts(
    session: Session,
    user: Principal,
    *,
    state: str | None = None,
    iso3: str | None = None,
    assignee_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Alert], int]:
    """Alerts the user may see, newest first, and how many match in all."""
    query = visible_alerts(user).options(selectinload(Alert.comments))
    if state:
        query = query.where(Alert.state == state)
    if iso3:
        query = query.where(Alert.iso3 == iso3.upper())
    if assignee_id is not None:
        query = query.where(Alert.assignee_id == assignee_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Alert.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def update_alert(
    session: Session,
    user: Any,
    alert: Alert,
    *,
    expected_version: int,
    state: str | None = None,
    assignee_id: int | None = None,
    unassign: bool = False,
) -> Alert:
    """Move an alert along its life-cycle and/or (re)assign it."""
    require_role(user, Role.analyst, "Updating an alert")
    if alert.version != expected_version:
        raise ConflictError(
            f"alert {alert.id} changed since version {expected_version} "
            f"(now {alert.version}); reload and retry"
        )
    assignee = alert.assignee_id
    if unassign:
        assignee = None
    elif assignee_id is not None:
        from vigil.workspace.users import get_user_by_id

        assignee = get_user_by_id(session, assignee_id).id
    before = audit.snapshot(alert)
    if state is not None and state != alert.state:
        if state not in NEXT_STATES.get(alert.state, set()):
            raise ConflictError(f"alert {alert.id} is {alert.state}; it cannot move to {state}")
        alert.state = state
    alert.assignee_id = assignee
    alert.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        user,
        "update",
        "alert",
        alert.id,
        before=before,
        after=audit.snapshot(alert),
        confidentiality=alert.confidentiality,
    )
    return alert


def add_comment(
    session: Session, user: Any, alert: Alert, body: str, *, confidentiality: str = "public"
) -> AlertComment:
    """Comment on an alert."""
    require_role(user, Role.analyst, "Commenting on an alert")
    level = parse_level(confidentiality).value
    require_clearance(user, level, "Commenting")
    if not body.strip():
        raise UsageError("a comment needs some text")
    comment = AlertComment(
        alert_id=alert.id, author=user.name, body=body, confidentiality=level, created_at=utcnow()
    )
    session.add(comment)
    session.flush()
    audit.record(
        session,
        user,
        "create",
        "alert_comment",
        comment.id,
        after=audit.snapshot(comment),
        confidentiality=level,
    )
    return comment


def comments_for(user: Principal, alert: Alert) -> list[AlertComment]:
    """The comments on ``alert`` that ``user`` is cleared to read."""
    allowed = set(Level(user.clearance).levels_up_to())
    return [c for c in alert.comments if c.confidentiality in allowed]


def evaluate_forecasts(
    session: Session, actor: Any, current: pd.DataFrame, previous: pd.DataFrame | None
) -> list[Alert]:
    """Run every enabled forecast rule and store the alerts not raised before."""
    rules = [r for r in list_rules(session) if r.kind.startswith("forecast_")]
    return raise_alerts(session, actor, forecast_candidates(rules, current, previous))


def evaluate_signals(session: Session, actor: Any, signals: pd.DataFrame) -> list[Alert]:
    """Run every enabled event-signal rule and store the alerts not raised before."""
    rules = list_rules(session, RuleKind.event_signal.value)
    return raise_alerts(session, actor, signal_candidates(rules, signals))


def evaluate(
    session: Session,
    actor: Any,
    forecasts: tuple[pd.DataFrame, pd.DataFrame | None],
    *,
    signals: pd.DataFrame | None = None,
) -> list[Alert]:
    """Run the forecast rules on this year's and last year's forecasts, and the event-signal
    rules on ``signals`` if given; store and return the alerts not raised before.

    ``forecasts`` is :attr:`vigil.risk.forecast.ForecastPair.frames` (or the same frames of the
    risk picture made from that pair): the CLI, the API and the first-run seed all pass these,
    so the same evidence raises the same alerts wherever the rules are run.
    """
    current, previous = forecasts
    raised = evaluate_forecasts(session, actor, current, previous)
    if signals is not None and not signals.empty:
        raised += evaluate_signals(session, actor, signals)
    return raised


def check_country(iso3: str) -> str:
    """Validate an ISO3 code used as a filter."""
    return check_iso3(iso3)
