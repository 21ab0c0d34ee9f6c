"""Framework-of-Analysis assessments: create, edit (with versions), review, history, diff."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from vigil.api.errors import ERRORS
from vigil.api.pagination import Page, Paging
from vigil.api.security import Analyst, Anyone, Db
from vigil.errors import NotFoundError
from vigil.workspace import alerts
from vigil.workspace import assessments as work
from vigil.workspace.access import Level

router = APIRouter(prefix="/assessments", tags=["assessments"], responses=ERRORS)
AssessmentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Iso3 = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]


class Evidence(BaseModel):
    kind: Literal["report", "event", "forecast", "url"]
    ref: str = Field(min_length=1, max_length=1000)
    note: str = Field(default="", max_length=2000)


class RatingIn(BaseModel):
    indicator_id: str = Field(max_length=20)
    rating: work.Rating = work.Rating.unknown
    confidence: work.Confidence = work.Confidence.medium
    note: str = Field(default="", max_length=20_000)
    evidence: list[Evidence] = Field(default_factory=list, max_length=100)


class RatingOut(RatingIn):
    factor_id: str


class AssessmentIn(BaseModel):
    iso3: Iso3
    assessed_on: date
    confidentiality: Level = Level.public
    summary: str = Field(default="", max_length=50_000)
    ratings: list[RatingIn] = Field(default_factory=list, max_length=500)


class AssessmentPatch(BaseModel):
    version: int = Field(ge=1, le=2**31 - 1, description="The version you edited (from GET).")
    assessed_on: date | None = None
    confidentiality: Level | None = None
    summary: str | None = Field(default=None, max_length=50_000)
    ratings: list[RatingIn] = Field(default_factory=list, max_length=500)


class StatusIn(BaseModel):
    version: int = Field(ge=1, le=2**31 - 1)
    status: work.Status


class FactorOut(BaseModel):
    factor_id: str
    level: str
    present: int
    strongly_present: int
    unknown: int
    indicators: int
    score: float


class AssessmentOut(BaseModel):
    id: int
    iso3: str
    assessed_on: date
    analyst_id: int
    status: work.Status
    framework_version: str
    confidentiality: Level
    summary: str
    version: int
    created_at: datetime
    updated_at: datetime
    reviewed_at: datetime | None
    factors: list[FactorOut]
    overall: dict[str, float]
    ratings: list[RatingOut] | None = None
    alerts_raised: list[int] = Field(default_factory=list)


class RevisionOut(BaseModel):
    version: int
    at: datetime
    by: str
    content: dict[str, Any]


class DiffOut(BaseModel):
    from_version: int
    to_version: int
    fields: dict[str, Any]
    indicators: list[dict[str, Any]]


def _out(a: work.Assessment, *, full: bool) -> AssessmentOut:
    data = work.content(a)
    factors = work.summarise(data["ratings"])
    ratings = [RatingOut.model_validate(r) for r in data["ratings"]] if full else None
    return AssessmentOut(
        **{
            k: data[k]
            for k in (
                "id",
                "iso3",
                "assessed_on",
                "analyst_id",
                "status",
                "framework_version",
                "confidentiality",
                "summary",
                "version",
            )
        },
        created_at=a.created_at,
        updated_at=a.updated_at,
        reviewed_at=a.reviewed_at,
        factors=[FactorOut(**vars(f)) for f in factors],
        overall=work.overall(factors),
        ratings=ratings,
    )


def _inputs(ratings: list[RatingIn]) -> list[work.RatingInput]:
    return [
        work.RatingInput(
            indicator_id=r.indicator_id,
            rating=r.rating.value,
            confidence=r.confidence.value,
            note=r.note,
            evidence=tuple(e.model_dump() for e in r.evidence),
        )
        for r in ratings
    ]


@router.get("", response_model=Page[AssessmentOut])
def list_assessments(
    caller: Anyone,
    db: Db,
    page: Paging,
    iso3: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None,
    status: work.Status | None = None,
) -> Page[AssessmentOut]:
    """Assessments within the caller's clearance, newest first."""
    with db.session(write=False) as session:
        rows, total = work.list_assessments(
            session,
            caller,
            iso3=iso3,
            status=status.value if status else None,
            limit=page.limit,
            offset=page.offset,
        )
        items = [_out(a, full=False) for a in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("", response_model=AssessmentOut, status_code=201)
def create(body: AssessmentIn, caller: Analyst, db: Db) -> AssessmentOut:
    """Start a draft assessment (every indicator not given starts as unknown)."""
    with db.session() as session:
        a = work.create_assessment(
            session,
            caller,
            body.iso3,
            body.assessed_on,
            confidentiality=body.confidentiality.value,
            summary=body.summary,
            ratings=_inputs(body.ratings),
        )
        return _out(a, full=True)


@router.get("/{assessment_id}", response_model=AssessmentOut)
def get(assessment_id: AssessmentId, caller: Anyone, db: Db) -> AssessmentOut:
    """One assessment with every rating and the per-factor summary."""
    with db.session(write=False) as session:
        return _out(work.get_assessment(session, caller, assessment_id), full=True)


@router.patch("/{assessment_id}", response_model=AssessmentOut)
def update(
    assessment_id: AssessmentId, body: AssessmentPatch, caller: Analyst, db: Db
) -> AssessmentOut:
    """Edit a draft; 409 if someone saved a newer version since you loaded it."""
    with db.session() as session:
        a = work.get_assessment(session, caller, assessment_id)
        work.update_assessment(
            session,
            caller,
            a,
            expected_version=body.version,
            ratings=_inputs(body.ratings),
            summary=body.summary,
            assessed_on=body.assessed_on,
            confidentiality=body.confidentiality.value if body.confidentiality else None,
        )
        return _out(a, full=True)


@router.post("/{assessment_id}/status", response_model=AssessmentOut)
def set_status(
    assessment_id: AssessmentId, body: StatusIn, caller: Analyst, db: Db
) -> AssessmentOut:
    """Submit a draft (analyst), or review / return a submitted one (reviewer)."""
    with db.session() as session:
        a = work.get_assessment(session, caller, assessment_id)
        work.transition(session, caller, a, body.status.value, expected_version=body.version)
        raised = []
        if a.status in ("submitted", "reviewed"):
            raised = [x.id for x in alerts.check_assessment(session, caller, a)]
        out = _out(a, full=True)
        out.alerts_raised = raised
        return out


@router.get("/{assessment_id}/history", response_model=list[RevisionOut])
def history(assessment_id: AssessmentId, caller: Anyone, db: Db) -> list[RevisionOut]:
    """Every saved version, oldest first."""
    with db.session(write=False) as session:
        a = work.get_assessment(session, caller, assessment_id)
        return [
            RevisionOut.model_validate(r, from_attributes=True)
            for r in work.history(session, a, caller)
        ]


@router.get("/{assessment_id}/diff", response_model=DiffOut)
def diff(
    assessment_id: AssessmentId,
    caller: Anyone,
    db: Db,
    from_version: Annotated[int, Query(ge=1, le=2**31 - 1)],
    to_version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    other: Annotated[
        int | None,
        Query(ge=1, le=2**31 - 1, description="Compare with another assessment's latest."),
    ] = None,
) -> DiffOut:
    """What changed between two versions (or against another assessment)."""
    with db.session(write=False) as session:
        a = work.get_assessment(session, caller, assessment_id)
        revisions = {r.version: r.content for r in work.history(session, a, caller)}
        if from_version not in revisions:
            raise NotFoundError(f"assessment {a.id} has no version {from_version}")
        old = revisions[from_version]
        if other is not None:
            new = work.content(work.get_assessment(session, caller, other))
            target = int(new["version"])
        else:
            target = to_version or a.version
            if target not in revisions:
                raise NotFoundError(f"assessment {a.id} has no version {target}")
            new = revisions[target]
        return DiffOut(from_version=from_version, to_version=target, **work.diff(old, new))
