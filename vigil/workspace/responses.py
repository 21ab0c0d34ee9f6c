"""Preventive actions per situation, linked to the alerts and assessments that prompted them.

The point is to make the response visible: for each country, how long from the first alert to
the first action, which alerts still have no action, and the timeline of both. An action has a
classification like everything else (never below the alerts and assessments it answers), and
its links show a reader only the alerts and assessments their clearance covers.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from vigil.choices import parse_choice
from vigil.errors import ConflictError, NotFoundError, UsageError
from vigil.workspace import audit
from vigil.workspace.access import (
    Level,
    Principal,
    Role,
    can_see,
    parse_level,
    require_clearance,
    require_role,
    visible,
)
from vigil.workspace.alerts import NEXT_STATES, Alert
from vigil.workspace.database import Base, UTCDateTime, utcnow
from vigil.workspace.situations import check_iso3


class ActionType(StrEnum):
    """Kinds of preventive action."""

    early_warning_notice = "early_warning_notice"
    good_offices = "good_offices"
    mediation = "mediation"
    technical_assistance = "technical_assistance"
    public_statement = "public_statement"
    sanctions = "sanctions"
    accountability = "accountability"
    protection_mandate = "protection_mandate"
    humanitarian_access = "humanitarian_access"
    other = "other"


class ActionStatus(StrEnum):
    """Where an action stands."""

    planned = "planned"
    ongoing = "ongoing"
    completed = "completed"
    abandoned = "abandoned"


action_alerts = Table(
    "action_alerts",
    Base.metadata,
    Column("action_id", ForeignKey("actions.id"), primary_key=True),
    Column("alert_id", ForeignKey("alerts.id"), primary_key=True),
)
action_assessments = Table(
    "action_assessments",
    Base.metadata,
    Column("action_id", ForeignKey("actions.id"), primary_key=True),
    Column("assessment_id", ForeignKey("assessments.id"), primary_key=True),
)


class Action(Base):
    """One preventive action taken (or planned) in a situation."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iso3: Mapped[str] = mapped_column(String(3), index=True)
    type: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.planned.value)
    outcome: Mapped[str] = mapped_column(Text, default="")
    confidentiality: Mapped[str] = mapped_column(String(20), default=Level.public.value)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    alerts: Mapped[list[Alert]] = relationship(secondary=action_alerts)
    assessment_ids: Mapped[list[Any]] = relationship(
        "Assessment", secondary=action_assessments, viewonly=False
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


def _enum(kind: type[StrEnum], value: str, name: str) -> str:
    return parse_choice(kind, value, name).value


@dataclass(frozen=True)
class ActionInput:
    """An action as received from a user."""

    iso3: str
    type: str
    actor: str
    title: str
    started_on: date
    description: str = ""
    ended_on: date | None = None
    status: str = "planned"
    outcome: str = ""
    alert_ids: tuple[int, ...] = ()
    assessment_ids: tuple[int, ...] = ()
    confidentiality: str = Level.public.value


def record_action(session: Session, user: Any, given: ActionInput) -> Action:
    """Store an action; linked open or acknowledged alerts move to *action_taken*.

    The action is classified at least as high as anything it links to, so its links never
    reveal an alert or assessment to a reader who may not see it.
    """
    require_role(user, Role.analyst, "Recording an action")
    if given.ended_on and given.ended_on < given.started_on:
        raise UsageError("ended_on is before started_on")
    alerts = [_linked_alert(session, user, i) for i in given.alert_ids]
    assessments = [_linked_assessment(session, user, i) for i in given.assessment_ids]
    levels = [parse_level(given.confidentiality)]
    levels += [Level(x.confidentiality) for x in (*alerts, *assessments)]
    level = max(levels, key=lambda x: x.rank).value
    require_clearance(user, level, "Recording an action")
    now = utcnow()
    action = Action(
        iso3=check_iso3(given.iso3),
        type=_enum(ActionType, given.type, "type"),
        actor=given.actor.strip() or "unknown",
        title=given.title,
        description=given.description,
        started_on=given.started_on,
        ended_on=given.ended_on,
        status=_enum(ActionStatus, given.status, "status"),
        outcome=given.outcome,
        confidentiality=level,
        created_by=user.name,
        created_at=now,
        updated_at=now,
    )
    action.alerts = alerts
    action.assessment_ids = assessments
    session.add(action)
    session.flush()
    for alert in action.alerts:
        _mark_action_taken(session, user, alert)
    audit.record(
        session,
        user,
        "create",
        "action",
        action.id,
        after=action_content(action),
        confidentiality=level,
    )
    return action


def _linked_alert(session: Session, user: Any, alert_id: int) -> Alert:
    from vigil.workspace.alerts import get_alert

    return get_alert(session, user, alert_id)


def _linked_assessment(session: Session, user: Any, assessment_id: int) -> Any:
    from vigil.workspace.assessments import get_assessment

    return get_assessment(session, user, assessment_id)


def _mark_action_taken(session: Session, user: Any, alert: Alert) -> None:
    if "action_taken" not in NEXT_STATES.get(alert.state, set()):
        return
    before = audit.snapshot(alert)
    alert.state, alert.updated_at = "action_taken", utcnow()
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


def action_content(action: Action, reader: Principal | None = None) -> dict[str, Any]:
    """An action with its links as a JSON-safe dict; with a ``reader``, only the linked alerts
    and assessments the reader is cleared to see (without one, all: the audit log's view)."""
    data = audit.snapshot(action)
    data["alert_ids"] = [a.id for a in action.alerts if _shown(reader, a.confidentiality)]
    data["assessment_ids"] = [
        a.id for a in action.assessment_ids if _shown(reader, a.confidentiality)
    ]
    return data


def _shown(reader: Principal | None, level: str) -> bool:
    return reader is None or can_see(reader, level)


def update_action(
    session: Session,
    user: Any,
    action: Action,
    *,
    expected_version: int,
    changes: dict[str, Any],
) -> Action:
    """Change an action's status, outcome, end date or description."""
    require_role(user, Role.analyst, "Updating an action")
    if action.version != expected_version:
        raise ConflictError(
            f"action {action.id} changed since version {expected_version} "
            f"(now {action.version}); reload and retry"
        )
    before = action_content(action)
    for key, value in changes.items():
        if key == "status":
            value = _enum(ActionStatus, value, "status")
        if key not in {"status", "outcome", "ended_on", "description", "actor", "title"}:
            raise UsageError(f"field {key!r} of an action cannot be changed")
        setattr(action, key, value)
    if action.ended_on and action.ended_on < action.started_on:
        raise UsageError("ended_on is before started_on")
    action.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        user,
        "update",
        "action",
        action.id,
        before=before,
        after=action_content(action),
        confidentiality=action.confidentiality,
    )
    return action


def visible_actions(user: Principal) -> Any:
    """The base query of actions ``user`` is cleared to see."""
    return select(Action).where(visible(user, Action.confidentiality))


def get_action(session: Session, user: Principal, action_id: int) -> Action:
    """One action, or not-found if missing or above the user's clearance."""
    found = session.scalar(visible_actions(user).where(Action.id == action_id))
    if found is None:
        raise NotFoundError(f"no action {action_id}")
    return found


def list_actions(
    session: Session,
    user: Principal,
    *,
    iso3: str | None = None,
    type: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Action], int]:
    """Actions the user may see, newest first, with the total count of the filtered list."""
    query = visible_actions(user)
    if iso3:
        query = query.where(Action.iso3 == iso3.upper())
    if type:
        query = query.where(Action.type == type)
    if status:
        query = query.where(Action.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Action.started_on.desc(), Action.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), total


# --- the response report -----------------------------------------------------------------


@dataclass
class Situation:
    """The response record of one country."""

    iso3: str
    alerts: int = 0
    actions: int = 0
    first_alert_at: datetime | None = None
    first_action_on: date | None = None
    days_to_first_action: int | None = None
    alerts_without_action: list[int] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ResponseReport:
    """Every situation's record and the overall lag figures."""

    situations: list[Situation]
    median_days_to_first_action: float | None
    situations_without_action: list[str]
    alerts_without_action: int


def response_report(session: Session, user: Principal, iso3: str | None = None) -> ResponseReport:
    """Time from first alert to first action per situation, open gaps, and timelines."""
    alert_query = select(Alert).where(visible(user, Alert.confidentiality))
    action_query = visible_actions(user)
    if iso3:
        alert_query = alert_query.where(Alert.iso3 == iso3.upper())
        action_query = action_query.where(Action.iso3 == iso3.upper())
    alerts = list(session.scalars(alert_query.order_by(Alert.created_at)))
    actions = list(session.scalars(action_query.order_by(Action.started_on, Action.id)))
    linked = {a.id for action in actions for a in action.alerts}
    situations: dict[str, Situation] = {}
    for alert in alerts:
        s = situations.setdefault(alert.iso3, Situation(alert.iso3))
        s.alerts += 1
        s.first_alert_at = s.first_alert_at or alert.created_at
        if alert.id not in linked and alert.state != "closed":
            s.alerts_without_action.append(alert.id)
        s.timeline.append(
            {
                "at": alert.created_at.isoformat(),
                "kind": "alert",
                "id": alert.id,
                "what": alert.title,
                "state": alert.state,
            }
        )
    for action in actions:
        s = situations.setdefault(action.iso3, Situation(action.iso3))
        s.actions += 1
        s.timeline.append(
            {
                "at": action.started_on.isoformat(),
                "kind": "action",
                "id": action.id,
                "what": f"{action.type}: {action.title} ({action.actor})",
                "state": action.status,
            }
        )
        first = s.first_alert_at
        if first and action.started_on >= first.date() and s.first_action_on is None:
            s.first_action_on = action.started_on
            s.days_to_first_action = (action.started_on - first.date()).days
    for s in situations.values():
        s.timeline.sort(key=lambda item: item["at"])
    ordered = sorted(situations.values(), key=lambda s: s.iso3)
    lags = [s.days_to_first_action for s in ordered if s.days_to_first_action is not None]
    return ResponseReport(
        situations=ordered,
        median_days_to_first_action=statistics.median(lags) if lags else None,
        situations_without_action=[
            s.iso3 for s in ordered if s.alerts and s.first_action_on is None
        ],
        alerts_without_action=sum(len(s.alerts_without_action) for s in ordered),
    )
