"""Counts of what the caller may see (the same clearance rule as every list)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import func, select

from vigil.api.errors import ERRORS
from vigil.api.security import Anyone, Db
from vigil.workspace.access import visible
from vigil.workspace.alerts import Alert
from vigil.workspace.assessments import Assessment
from vigil.workspace.notes import Note
from vigil.workspace.reports import Report, Source
from vigil.workspace.responses import Action

router = APIRouter(prefix="/stats", tags=["stats"], responses=ERRORS)


class Counts(BaseModel):
    reports: int
    sources: int
    notes: int
    assessments: int
    alerts: int
    open_alerts: int
    actions: int


@router.get("", response_model=Counts)
def counts(caller: Anyone, db: Db) -> Counts:
    """How many reports, sources, notes, assessments, alerts and actions the caller can see."""

    def count(model: type, *where: object) -> int:
        query = select(func.count()).select_from(model)
        level = getattr(model, "confidentiality", None)
        if level is not None:
            query = query.where(visible(caller, level))
        return int(session.scalar(query.where(*where)) or 0)  # type: ignore[arg-type]

    with db.session(write=False) as session:
        return Counts(
            reports=count(Report),
            sources=count(Source),
            notes=count(Note),
            assessments=count(Assessment),
            alerts=count(Alert),
            open_alerts=count(Alert, Alert.state == "open"),
            actions=count(Action),
        )
