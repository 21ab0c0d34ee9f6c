"""Framework-of-Analysis assessments: per-indicator ratings, review workflow, history and diffs.

An assessment rates every indicator of the Framework for one country at one date. Edits carry
the version the editor last saw; a stale version is refused with a :class:`ConflictError`, so
two analysts never silently overwrite each other. Each saved version is kept as a revision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.exc import StaleDataError

from vigil.choices import parse_choice
from vigil.errors import ConflictError, NotFoundError, UsageError
from vigil.workspace import audit
from vigil.workspace.access import (
    Clearance,
    Level,
    Principal,
    Role,
    can_see,
    parse_level,
    require_clearance,
    require_role,
    visible,
)
from vigil.workspace.database import Base, UTCDateTime, utcnow
from vigil.workspace.situations import check_iso3


class Rating(StrEnum):
    """How strongly an indicator is present."""

    unknown = "unknown"
    absent = "absent"
    present = "present"
    strongly_present = "strongly_present"

    @property
    def weight(self) -> int:
        return {"unknown": 0, "absent": 0, "present": 1, "strongly_present": 2}[self.value]


class Confidence(StrEnum):
    """How sure the analyst is of a rating."""

    low = "low"
    medium = "medium"
    high = "high"


class Status(StrEnum):
    """Where an assessment stands in review."""

    draft = "draft"
    submitted = "submitted"
    reviewed = "reviewed"


#: Allowed moves and the role each needs.
TRANSITIONS: dict[tuple[str, str], Role] = {
    ("draft", "submitted"): Role.analyst,
    ("submitted", "draft"): Role.reviewer,
    ("submitted", "reviewed"): Role.reviewer,
}

EVIDENCE_KINDS = ("report", "event", "forecast", "url")
#: Longest note on one indicator and longest summary, in characters: longer ones are refused.
MAX_NOTE = 20_000
MAX_SUMMARY = 50_000


class Assessment(Base):
    """One country assessed against the Framework at one date."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iso3: Mapped[str] = mapped_column(String(3), index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    analyst_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default=Status.draft.value, index=True)
    framework_version: Mapped[str] = mapped_column(String(40))
    confidentiality: Mapped[str] = mapped_column(String(20), default=Level.public.value)
    summary: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    ratings: Mapped[list[IndicatorRating]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="IndicatorRating.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class IndicatorRating(Base):
    """The rating of one indicator in one assessment, with its evidence."""

    __tablename__ = "assessment_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    indicator_id: Mapped[str] = mapped_column(String(20))
    factor_id: Mapped[str] = mapped_column(String(10))
    rating: Mapped[str] = mapped_column(String(20), default=Rating.unknown.value)
    confidence: Mapped[str] = mapped_column(String(10), default=Confidence.medium.value)
    note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    assessment: Mapped[Assessment] = relationship(back_populates="ratings")


class AssessmentRevision(Base):
    """A saved version of an assessment, kept whole so history can be replayed and diffed."""

    __tablename__ = "assessment_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(String(120))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)


@dataclass(frozen=True)
class RatingInput:
    """An analyst's rating of one indicator, as received.

    ``evidence`` None keeps the evidence already recorded (an editor that does not show it
    must not erase it); a tuple, even an empty one, replaces it.
    """

    indicator_id: str
    rating: str = "unknown"
    confidence: str = "medium"
    note: str = ""
    evidence: tuple[dict[str, Any], ...] | None = ()


def _framework() -> Any:
    from vigil.workspace.framework import load_framework

    return load_framework()


def indicator_factors(framework: Any) -> dict[str, str]:
    """Map every indicator id of the framework to its risk factor id."""
    return {
        indicator.id: factor.id for factor in framework.factors for indicator in factor.indicators
    }


def content(assessment: Assessment) -> dict[str, Any]:
    """The whole assessment (with ratings) as a JSON-safe dict."""
    data = audit.snapshot(assessment)
    data["ratings"] = [
        {k: v for k, v in audit.snapshot(r).items() if k not in {"id", "assessment_id"}}
        for r in assessment.ratings
    ]
    return data


def create_assessment(
    session: Session,
    user: Any,
    iso3: str,
    assessed_on: date,
    *,
    confidentiality: str = "public",
    summary: str = "",
    ratings: list[RatingInput] | None = None,
) -> Assessment:
    """Start a draft assessment of ``iso3``; every indicator starts as *unknown*."""
    require_role(user, Role.analyst, "Creating an assessment")
    level = parse_level(confidentiality).value
    require_clearance(user, level, "Creating an assessment")
    framework = _framework()
    now = utcnow()
    assessment = Assessment(
        iso3=check_iso3(iso3),
        assessed_on=assessed_on,
        analyst_id=user.id,
        status=Status.draft.value,
        framework_version=str(framework.version),
        confidentiality=level,
        summary=_check_summary(summary),
        created_at=now,
        updated_at=now,
    )
    factors = indicator_factors(framework)
    assessment.ratings = [
        IndicatorRating(
            indicator_id=i, factor_id=f, rating="unknown", confidence="medium", note="", evidence=[]
        )
        for i, f in factors.items()
    ]
    _apply_ratings(assessment, ratings or [], factors)
    session.add(assessment)
    session.flush()
    _keep_revision(session, user, assessment)
    audit.record(
        session,
        user,
        "create",
        "assessment",
        assessment.id,
        after=content(assessment),
        confidentiality=level,
    )
    return assessment


def _apply_ratings(
    assessment: Assessment, ratings: list[RatingInput], factors: dict[str, str]
) -> None:
    by_indicator = {r.indicator_id: r for r in assessment.ratings}
    for given in ratings:
        row = by_indicator.get(given.indicator_id)
        if row is None:
            known = ", ".join(sorted(factors)[:3])
            raise UsageError(
                f"indicator {given.indicator_id!r} is not in the Framework (ids look like {known})"
            )
        if len(given.note) > MAX_NOTE:
            raise UsageError(
                f"the note on {given.indicator_id} has {len(given.note)} characters; "
                f"the limit is {MAX_NOTE}: shorten it"
            )
        row.rating = _enum(Rating, given.rating, "rating").value
        row.confidence = _enum(Confidence, given.confidence, "confidence").value
        row.note = given.note
        if given.evidence is not None:
            row.evidence = [_evidence(e) for e in given.evidence]


def _check_summary(summary: str) -> str:
    if len(summary) > MAX_SUMMARY:
        raise UsageError(
            f"the summary has {len(summary)} characters; the limit is {MAX_SUMMARY}: shorten it"
        )
    return summary


def _enum(kind: type[StrEnum], value: str, field: str) -> StrEnum:
    return parse_choice(kind, value, field)


def _evidence(item: dict[str, Any]) -> dict[str, Any]:
    kind, ref = item.get("kind"), item.get("ref")
    if kind not in EVIDENCE_KINDS or not isinstance(ref, str | int) or not str(ref).strip():
        raise UsageError(
            f"evidence {item!r}: give {{'kind': one of {', '.join(EVIDENCE_KINDS)}, 'ref': id}}"
        )
    return {"kind": kind, "ref": str(ref), "note": str(item.get("note", ""))}


def _keep_revision(session: Session, user: Any, assessment: Assessment) -> None:
    session.add(
        AssessmentRevision(
            assessment_id=assessment.id,
            version=assessment.version,
            at=utcnow(),
            by=user.name,
            content=content(assessment),
        )
    )


def visible_assessments(user: Principal) -> Any:
    """The base query of assessments ``user`` is cleared to see."""
    return select(Assessment).where(visible(user, Assessment.confidentiality))


def get_assessment(session: Session, user: Principal, assessment_id: int) -> Assessment:
    """One assessment, or not-found if missing or above the user's clearance."""
    found = session.scalar(visible_assessments(user).where(Assessment.id == assessment_id))
    if found is None:
        raise NotFoundError(f"no assessment {assessment_id}")
    return found


def list_assessments(
    session: Session,
    user: Principal,
    *,
    iso3: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Assessment], int]:
    """Assessments the user may see, newest first, and how many match in all."""
    query = visible_assessments(user)
    if iso3:
        query = query.where(Assessment.iso3 == iso3.upper())
    if status:
        query = query.where(Assessment.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def update_assessment(
    session: Session,
    user: Any,
    assessment: Assessment,
    *,
    expected_version: int,
    ratings: list[RatingInput] | None = None,
    summary: str | None = None,
    assessed_on: date | None = None,
    confidentiality: str | None = None,
) -> Assessment:
    """Edit a draft; refused with a conflict if someone saved a newer version first."""
    require_role(user, Role.analyst, "Editing an assessment")
    _check_version(assessment, expected_version)
    if assessment.status != Status.draft.value:
        raise ConflictError(
            f"assessment {assessment.id} is {assessment.status}: only drafts can be edited "
            "(a reviewer can return it to draft)"
        )
    before = content(assessment)
    if ratings:
        _apply_ratings(assessment, ratings, indicator_factors(_framework()))
    if summary is not None:
        assessment.summary = _check_summary(summary)
    if assessed_on is not None:
        assessment.assessed_on = assessed_on
    if confidentiality is not None:
        level = parse_level(confidentiality).value
        require_clearance(user, level, "Classifying an assessment")
        assessment.confidentiality = level
    return _save(session, user, assessment, "update", before)


def _check_version(assessment: Assessment, expected_version: int) -> None:
    if assessment.version != expected_version:
        raise ConflictError(
            f"assessment {assessment.id} was changed by someone else: you edited version "
            f"{expected_version}, the current one is {assessment.version}; reload and reapply"
        )


def _save(
    session: Session, user: Any, assessment: Assessment, action: str, before: dict[str, Any]
) -> Assessment:
    assessment.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError as err:
        raise ConflictError(
            f"assessment {assessment.id} was changed by someone else at the same moment; reload"
        ) from err
    _keep_revision(session, user, assessment)
    audit.record(
        session,
        user,
        action,
        "assessment",
        assessment.id,
        before=before,
        after=content(assessment),
        confidentiality=assessment.confidentiality,
    )
    return assessment


def transition(
    session: Session, user: Any, assessment: Assessment, to: str, *, expected_version: int
) -> Assessment:
    """Move an assessment along draft → submitted → reviewed (or back to draft)."""
    target = _enum(Status, to, "status").value
    needed = TRANSITIONS.get((assessment.status, target))
    if needed is None:
        raise ConflictError(
            f"assessment {assessment.id} is {assessment.status}; cannot go to {target}"
        )
    require_role(user, needed, f"Moving an assessment to {target}")
    _check_version(assessment, expected_version)
    before = content(assessment)
    assessment.status = target
    if target == Status.reviewed.value:
        assessment.reviewed_by_id, assessment.reviewed_at = user.id, utcnow()
    return _save(session, user, assessment, f"status:{target}", before)


def history(
    session: Session, assessment: Assessment, user: Principal | None = None
) -> list[AssessmentRevision]:
    """The saved versions of an assessment ``user`` may read (every one without a user), oldest
    first.

    Each revision keeps the classification it was saved under: an assessment re-classified
    from confidential to public still hides its confidential versions from public readers.
    """
    revisions = session.scalars(
        select(AssessmentRevision)
        .where(AssessmentRevision.assessment_id == assessment.id)
        .order_by(AssessmentRevision.version)
    )
    return [r for r in revisions if user is None or can_see(user, revision_level(r))]


def revision_level(revision: AssessmentRevision) -> str:
    """The classification a revision was saved under (confidential if it does not say)."""
    level = revision.content.get("confidentiality")
    return level if level in set(Level) else Level.confidential.value


@dataclass(frozen=True)
class FactorSummary:
    """How one risk factor stands in an assessment."""

    factor_id: str
    level: str
    present: int
    strongly_present: int
    unknown: int
    indicators: int
    score: float


def factor_level(ratings: list[str]) -> str:
    """A factor is as present as its most present indicator."""
    best = max((Rating(r) for r in ratings), key=lambda r: r.weight, default=Rating.unknown)
    if best.weight == 0:
        return Rating.absent.value if any(r == "absent" for r in ratings) else Rating.unknown.value
    return best.value


def summarise(ratings: list[dict[str, Any]]) -> list[FactorSummary]:
    """Per-factor summary of a list of rating dicts (``factor_id``, ``rating``)."""
    by_factor: dict[str, list[str]] = {}
    for r in ratings:
        by_factor.setdefault(r["factor_id"], []).append(r["rating"])
    out = []
    for factor_id in sorted(by_factor, key=_factor_order):
        values = by_factor[factor_id]
        out.append(
            FactorSummary(
                factor_id=factor_id,
                level=factor_level(values),
                present=values.count("present"),
                strongly_present=values.count("strongly_present"),
                unknown=values.count("unknown"),
                indicators=len(values),
                score=round(sum(Rating(v).weight for v in values) / (2 * len(values)), 4),
            )
        )
    return out


def _factor_order(factor_id: str) -> tuple[int, str]:
    digits = "".join(c for c in factor_id if c.isdigit())
    return (int(digits) if digits else 0, factor_id)


def overall(summary: list[FactorSummary]) -> dict[str, Any]:
    """Overall picture: factors present, strongly present, and the mean factor score."""
    return {
        "factors_present": sum(s.level == "present" for s in summary),
        "factors_strongly_present": sum(s.level == "strongly_present" for s in summary),
        "score": round(sum(s.score for s in summary) / len(summary), 4) if summary else 0.0,
    }


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed between two assessment contents: fields and per-indicator ratings."""
    fields = {
        key: {"before": old.get(key), "after": new.get(key)}
        for key in ("iso3", "assessed_on", "status", "summary", "confidentiality")
        if old.get(key) != new.get(key)
    }
    old_r = {r["indicator_id"]: r for r in old.get("ratings", [])}
    new_r = {r["indicator_id"]: r for r in new.get("ratings", [])}
    indicators = []
    for ind in sorted(set(old_r) | set(new_r)):
        a, b = old_r.get(ind, {}), new_r.get(ind, {})
        changed = {
            k: {"before": a.get(k), "after": b.get(k)}
            for k in ("rating", "confidence", "note", "evidence")
            if a.get(k) != b.get(k)
        }
        if changed:
            indicators.append({"indicator_id": ind, "changes": changed})
    return {"fields": fields, "indicators": indicators}


def previous_assessment(session: Session, assessment: Assessment) -> Assessment | None:
    """The latest submitted or reviewed assessment of the same country made before this one,
    among those classified no higher than this one (whoever may read an alert raised from this
    assessment may read the earlier rating it quotes)."""
    query = (
        select(Assessment)
        .where(
            Assessment.iso3 == assessment.iso3,
            visible(Clearance(assessment.confidentiality), Assessment.confidentiality),
            Assessment.id != assessment.id,
            Assessment.status.in_([Status.submitted.value, Status.reviewed.value]),
            Assessment.assessed_on <= assessment.assessed_on,
        )
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
        .limit(1)
    )
    return session.scalar(query)
