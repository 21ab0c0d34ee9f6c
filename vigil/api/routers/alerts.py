"""Alerts and their rules and comments (channels and deliveries: :mod:`.channels`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from vigil.api.errors import ERRORS
from vigil.api.pagination import Page, Paging
from vigil.api.routers.forecasts import forecast_pair
from vigil.api.security import Admin, Analyst, Anyone, Db, Reviewer
from vigil.workspace import alerts as work
from vigil.workspace.access import Level, Principal
from vigil.workspace.alerts import RuleKind, State

router = APIRouter(tags=["alerts"], responses=ERRORS)
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Severity = Literal["low", "medium", "high"]


class CommentOut(BaseModel):
    id: int
    author: str
    body: str
    confidentiality: Level
    created_at: datetime


class AlertOut(BaseModel):
    id: int
    rule_id: int | None
    kind: str
    iso3: str
    title: str
    detail: dict[str, Any]
    severity: str
    state: State
    assignee_id: int | None
    confidentiality: Level
    created_at: datetime
    updated_at: datetime
    version: int
    comments: list[CommentOut] | None = None


class AlertPatch(BaseModel):
    version: int = Field(ge=1, le=2**31 - 1)
    state: State | None = None
    assignee_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    unassign: bool = False


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=20_000)
    confidentiality: Level = Level.public


class RuleIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    kind: RuleKind
    params: dict[str, Any]
    severity: Severity = "medium"


class RuleOut(BaseModel):
    id: int
    name: str
    kind: str
    params: dict[str, Any]
    severity: str
    enabled: bool


class EvaluateIn(BaseModel):
    model: str | None = Field(default=None, max_length=60)
    base_year: int | None = Field(default=None, ge=1800, le=2200)
    signals: bool = Field(default=False, description="Also run the event-signal rules.")
    month: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")


ALERT_FIELDS = tuple(name for name in AlertOut.model_fields if name != "comments")


def _out(alert: work.Alert, caller: Principal) -> AlertOut:
    """An alert with only the comments ``caller`` is cleared to read (never all of them)."""
    out = AlertOut.model_validate({name: getattr(alert, name) for name in ALERT_FIELDS})
    out.comments = [
        CommentOut.model_validate(c, from_attributes=True) for c in work.comments_for(caller, alert)
    ]
    return out


@router.get("/alerts", response_model=Page[AlertOut])
def list_alerts(
    caller: Anyone,
    db: Db,
    page: Paging,
    state: State | None = None,
    iso3: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None,
    assignee_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Page[AlertOut]:
    """Alerts within the caller's clearance, newest first."""
    with db.session(write=False) as session:
        rows, total = work.list_alerts(
            session,
            caller,
            state=state.value if state else None,
            iso3=iso3,
            assignee_id=assignee_id,
            limit=page.limit,
            offset=page.offset,
        )
        items = [_out(a, caller) for a in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/alerts/{alert_id}", response_model=AlertOut)
def get_alert(alert_id: AlertId, caller: Anyone, db: Db) -> AlertOut:
    """One alert with the comments the caller may read."""
    with db.session(write=False) as session:
        return _out(work.get_alert(session, caller, alert_id), caller)


@router.patch("/alerts/{alert_id}", response_model=AlertOut)
def update_alert(alert_id: AlertId, body: AlertPatch, caller: Analyst, db: Db) -> AlertOut:
    """Acknowledge, mark action taken, close, or (re)assign an alert."""
    with db.session() as session:
        alert = work.get_alert(session, caller, alert_id)
        work.update_alert(
            session,
            caller,
            alert,
            expected_version=body.version,
            state=body.state.value if body.state else None,
            assignee_id=body.assignee_id,
            unassign=body.unassign,
        )
        return _out(alert, caller)


@router.post("/alerts/{alert_id}/comments", response_model=CommentOut, status_code=201)
def comment(alert_id: AlertId, body: CommentIn, caller: Analyst, db: Db) -> CommentOut:
    """Comment on an alert."""
    with db.session() as session:
        alert = work.get_alert(session, caller, alert_id)
        row = work.add_comment(
            session, caller, alert, body.body, confidentiality=body.confidentiality.value
        )
        return CommentOut.model_validate(row, from_attributes=True)


@router.get("/alert-rules", response_model=list[RuleOut])
def list_rules(caller: Anyone, db: Db) -> list[RuleOut]:
    """Every alert rule."""
    with db.session(write=False) as session:
        return [RuleOut.model_validate(r, from_attributes=True) for r in work.list_rules(session)]


@router.post("/alert-rules", response_model=RuleOut, status_code=201)
def add_rule(body: RuleIn, caller: Admin, db: Db) -> RuleOut:
    """Create an alert rule (admin)."""
    with db.session() as session:
        rule = work.add_rule(
            session, caller, body.name, body.kind.value, body.params, severity=body.severity
        )
        return RuleOut.model_validate(rule, from_attributes=True)


@router.post("/alerts/evaluate", response_model=list[AlertOut])
def evaluate(body: EvaluateIn, caller: Reviewer, db: Db, request: Request) -> list[AlertOut]:
    """Run the forecast rules (and, if asked, the event-signal rules); returns new alerts."""
    pair = forecast_pair(request, body.model, body.base_year)
    signals = None
    if body.signals:
        import pandas as pd

        from vigil.api.routers.events import signals_for

        signals = pd.DataFrame(signals_for(request, body.month))
    with db.session() as session:
        return [
            _out(a, caller) for a in work.evaluate(session, caller, pair.frames, signals=signals)
        ]
