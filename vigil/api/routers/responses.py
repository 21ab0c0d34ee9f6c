"""Preventive actions and the response report (time from first alert to first action)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from vigil.api.errors import ERRORS
from vigil.api.pagination import Page, Paging
from vigil.api.security import Analyst, Anyone, Caller, Db
from vigil.workspace import responses as work
from vigil.workspace.access import Level
from vigil.workspace.responses import ActionStatus, ActionType

router = APIRouter(tags=["responses"], responses=ERRORS)
ActionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Ids = list[Annotated[int, Field(ge=1, le=2**31 - 1)]]


class ActionIn(BaseModel):
    iso3: str = Field(pattern=r"^[A-Za-z]{3}$")
    type: ActionType
    actor: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=300)
    started_on: date
    description: str = Field(default="", max_length=20_000)
    ended_on: date | None = None
    status: ActionStatus = ActionStatus.planned
    outcome: str = Field(default="", max_length=20_000)
    alert_ids: Ids = Field(default_factory=list, max_length=100)
    assessment_ids: Ids = Field(default_factory=list, max_length=100)
    confidentiality: Level = Field(
        default=Level.public,
        description="Raised to the highest level of the linked alerts and assessments.",
    )


class ActionPatch(BaseModel):
    version: int = Field(ge=1, le=2**31 - 1)
    status: ActionStatus | None = None
    outcome: str | None = Field(default=None, max_length=20_000)
    ended_on: date | None = None
    description: str | None = Field(default=None, max_length=20_000)


class ActionOut(BaseModel):
    id: int
    iso3: str
    type: ActionType
    actor: str
    title: str
    description: str
    started_on: date
    ended_on: date | None
    status: ActionStatus
    outcome: str
    confidentiality: Level
    created_by: str
    created_at: datetime
    version: int
    alert_ids: list[int]
    assessment_ids: list[int]


class SituationOut(BaseModel):
    iso3: str
    alerts: int
    actions: int
    first_alert_at: datetime | None
    first_action_on: date | None
    days_to_first_action: int | None
    alerts_without_action: list[int]
    timeline: list[dict[str, Any]]


class ResponseReportOut(BaseModel):
    situations: list[SituationOut]
    median_days_to_first_action: float | None
    situations_without_action: list[str]
    alerts_without_action: int


def _out(action: work.Action, caller: Caller) -> ActionOut:
    """An action with only the links ``caller`` may follow."""
    return ActionOut.model_validate(work.action_content(action, caller))


@router.get("/actions", response_model=Page[ActionOut])
def list_actions(
    caller: Anyone,
    db: Db,
    page: Paging,
    iso3: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None,
    type: ActionType | None = None,
    status: ActionStatus | None = None,
) -> Page[ActionOut]:
    """Preventive actions, newest first."""
    with db.session(write=False) as session:
        rows, total = work.list_actions(
            session,
            caller,
            iso3=iso3,
            type=type.value if type else None,
            status=status.value if status else None,
            limit=page.limit,
            offset=page.offset,
        )
        items = [_out(a, caller) for a in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/actions", response_model=ActionOut, status_code=201)
def record(body: ActionIn, caller: Analyst, db: Db) -> ActionOut:
    """Record an action; linked alerts move to action_taken."""
    given = work.ActionInput(
        **{
            **body.model_dump(),
            "type": body.type.value,
            "status": body.status.value,
            "confidentiality": body.confidentiality.value,
            "alert_ids": tuple(body.alert_ids),
            "assessment_ids": tuple(body.assessment_ids),
        }
    )
    with db.session() as session:
        return _out(work.record_action(session, caller, given), caller)


@router.get("/actions/{action_id}", response_model=ActionOut)
def get_action(action_id: ActionId, caller: Anyone, db: Db) -> ActionOut:
    """One action with its links."""
    with db.session(write=False) as session:
        return _out(work.get_action(session, caller, action_id), caller)


@router.patch("/actions/{action_id}", response_model=ActionOut)
def update_action(action_id: ActionId, body: ActionPatch, caller: Analyst, db: Db) -> ActionOut:
    """Update an action's status, outcome, end date or description."""
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    if "status" in changes and changes["status"] is not None:
        changes["status"] = changes["status"].value
    changes = {k: v for k, v in changes.items() if v is not None or k == "ended_on"}
    with db.session() as session:
        action = work.get_action(session, caller, action_id)
        return _out(
            work.update_action(
                session, caller, action, expected_version=body.version, changes=changes
            ),
            caller,
        )


@router.get("/responses/report", response_model=ResponseReportOut)
def response_report(
    caller: Anyone, db: Db, iso3: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None
) -> ResponseReportOut:
    """Per situation and overall: time from first alert to first action, gaps, timelines."""
    with db.session(write=False) as session:
        report = work.response_report(session, caller, iso3)
    return ResponseReportOut(
        situations=[SituationOut(**vars(s)) for s in report.situations],
        median_days_to_first_action=report.median_days_to_first_action,
        situations_without_action=report.situations_without_action,
        alerts_without_action=report.alerts_without_action,
    )
