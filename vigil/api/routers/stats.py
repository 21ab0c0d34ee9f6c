"""Counts of what the caller may see (the same clearance rule as every list)."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import func, select

from vigil.api.errors import ERRORS
from vigil.api.security import Anyone, Db
from vigil.workspace.access import Clearance, Level, visible
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
    with db.reading() as connection:
        row = connection.execute(_counts_query(Level(caller.clearance))).one()
    return Counts(**{name: int(value or 0) for name, value in row._mapping.items()})


@cache
def _counts_query(clearance: Level) -> Any:
    """One query of every count visible at ``clearance``, built once per level and reused."""
    viewer = Clearance(clearance.value)

    def count(model: type, *where: object) -> Any:
        query = select(func.count()).select_from(model)
        level = getattr(model, "confidentiality", None)
        if level is not None:
            query = query.where(visible(viewer, level))
        return query.where(*where).scalar_subquery()  # type: ignore[arg-type]

    specs: dict[str, tuple[Any, ...]] = {
        "reports": (Report,), "sources": (Source,), "notes": (Note,),
        "assessments": (Assessment,), "alerts": (Alert,),
        "open_alerts": (Alert, Alert.state == "open"), "actions": (Action,),
    }  # fmt: skip
    return select(*(count(*spec).label(name) for name, spec in specs.items()))
