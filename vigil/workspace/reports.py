"""Reports and their sources in the database: storage, duplicates, clearance and triage labels.

Texts arrive already extracted (see ``vigil.workspace.intake``). Exact duplicates are refused by
fingerprint; near duplicates are stored but point at the report they resemble, found through
MinHash band keys kept in their own table so the database finds candidates with an index.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, defer, mapped_column, relationship, selectinload

from vigil.errors import ConflictError, NotFoundError, UsageError
from vigil.workspace import audit, duplicates
from vigil.workspace.access import (
    Clearance,
    Level,
    Principal,
    Role,
    parse_level,
    require_clearance,
    require_role,
    visible,
)
from vigil.workspace.database import Base, UTCDateTime, page_of, utcnow
from vigil.workspace.links import check_url
from vigil.workspace.outbound import OutboundPolicy, check_target
from vigil.workspace.situations import check_iso3

VERDICTS = ("confirmed", "corrected", "rejected")
MAX_TEXT = 2_000_000


class Source(Base):
    """Where reports come from: a feed, a file drop, the API, a person."""

    __tablename__ = "sources"
    __table_args__ = (
        UniqueConstraint("name", "confidentiality", name="uq_sources_name_confidentiality"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="manual")
    url: Mapped[str | None] = mapped_column(String(1000))
    confidentiality: Mapped[str] = mapped_column(String(20), default=Level.public.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Report(Base):
    """One report's text, origin, classification, duplicate status and triage."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(1000))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confidentiality: Mapped[str] = mapped_column(String(20), default="public", index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    near_duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    similarity: Mapped[float | None]
    triage: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    language: Mapped[str | None] = mapped_column(String(16))  # ISO 639-1, from triage
    relevance: Mapped[float | None] = mapped_column(index=True)  # 0-1, from triage
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    countries: Mapped[list[ReportCountry]] = relationship(
        cascade="all, delete-orphan", order_by="ReportCountry.iso3"
    )


class ReportCountry(Base):
    """A country a report concerns (from triage or the analyst)."""

    __tablename__ = "report_countries"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    iso3: Mapped[str] = mapped_column(String(3), primary_key=True, index=True)


class ReportBand(Base):
    """One MinHash band key of a report, so near-duplicate candidates come from an index."""

    __tablename__ = "report_bands"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    band: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class TriageLabel(Base):
    """An analyst's verdict on a risk factor for a report: confirmed, corrected or rejected."""

    __tablename__ = "triage_labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    factor_id: Mapped[str] = mapped_column(String(10))
    verdict: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass(frozen=True)
class ReportInput:
    """A report as received: text already extracted."""

    title: str
    text: str
    url: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    confidentiality: str = "public"
    countries: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stored:
    """The outcome of storing a report: the row, and what it duplicates if anything."""

    report: Report
    created: bool
    duplicate_kind: str | None = None
    similarity: float | None = None


def check_text(text: str) -> str:
    """The stripped text of a report, or a usage error if it is empty or too long."""
    if len(text) > MAX_TEXT:
        raise UsageError(f"the report text has {len(text)} characters; the limit is {MAX_TEXT}")
    text = text.strip()
    if not text:
        raise UsageError("the report has no text")
    return text


def band_keys(signature: Any, bands: int = 32) -> list[str]:
    """Short index keys of a MinHash signature's bands."""
    rows = signature.size // bands
    chunks = (signature[band * rows : (band + 1) * rows].tobytes() for band in range(bands))
    return [f"{band}:{hashlib.sha1(chunk).hexdigest()[:24]}" for band, chunk in enumerate(chunks)]


def add_source(
    session: Session,
    user: Any,
    name: str,
    *,
    kind: str = "manual",
    url: str | None = None,
    confidentiality: str = "public",
    policy: OutboundPolicy | None = None,
) -> Source:
    """Register a source; reports from it are never below its confidentiality. A feed's URL
    must be http(s) and pass the outbound address ``policy``."""
    require_role(user, Role.analyst, "Adding a source")
    level = parse_level(confidentiality).value
    if kind == "feed":
        check_target(url or "", policy or OutboundPolicy())
    require_clearance(user, level, "Adding a source")
    same_name = select(Source.id).where(Source.name == name, visible(user, Source.confidentiality))
    if session.scalar(same_name) is not None:  # one the user cannot see is no conflict to them
        raise ConflictError(f"a source named {name!r} exists already")
    source = Source(name=name, kind=kind, url=url, confidentiality=level, created_at=utcnow())
    session.add(source)
    session.flush()
    audit.record(
        session,
        user,
        "create",
        "source",
        source.id,
        after=audit.snapshot(source),
        confidentiality=level,
    )
    return source


def _source(session: Session, user: Principal, name: str | None) -> Source | None:
    if name is None:
        return None
    named = session.scalars(
        select(Source).where(Source.name == name, visible(user, Source.confidentiality))
    )
    found = max(named, key=lambda s: Level(s.confidentiality).rank, default=None)
    if found is None:
        raise NotFoundError(f"no source named {name!r}: add it first")
    return found  # of two visible sources with one name, the higher classified: the safer


def store_report(
    session: Session, user: Any, given: ReportInput, *, triage: dict[str, Any] | None = None
) -> Stored:
    """Store a report unless its text is an exact duplicate of one the caller can see.

    Duplicates are looked for only where the caller may look: an exact duplicate among the
    reports within their clearance, a near duplicate among those classified no higher than the
    new report (so whoever reads it may follow ``near_duplicate_of``).
    """
    require_role(user, Role.analyst, "Adding a report")
    text = check_text(given.text)
    source = _source(session, user, given.source)
    level = parse_level(given.confidentiality)
    if source is not None and Level(source.confidentiality).rank > level.rank:
        level = Level(source.confidentiality)
    require_clearance(user, level.value, "Adding a report")
    countries = sorted({check_iso3(c) for c in given.countries})
    url = check_url(given.url)
    printed = duplicates.fingerprint(text)
    same = session.scalar(visible_reports(user).where(Report.fingerprint == printed).limit(1))
    if same is not None:
        return Stored(report=same, created=False, duplicate_kind="exact", similarity=1.0)
    signature = duplicates.minhash(text)
    near, score = _near_duplicate(session, signature, Clearance(level.value))
    report = Report(
        title=given.title.strip()[:500] or text[:80],
        text=text,
        url=url,
        source_id=source.id if source else None,
        published_at=given.published_at,
        confidentiality=level.value,
        fingerprint=printed,
        signature=duplicates.signature_to_bytes(signature),
        near_duplicate_of=near,
        similarity=score,
        triage=triage,
        language=(triage or {}).get("language"),
        relevance=(triage or {}).get("relevance"),
        created_by=user.name,
        created_at=utcnow(),
    )
    report.countries = [ReportCountry(iso3=c) for c in countries]
    session.add(report)
    session.flush()
    bands = [{"report_id": report.id, "band": key} for key in sorted(set(band_keys(signature)))]
    session.execute(insert(ReportBand), bands)  # one executemany, not 32 ORM objects
    audit.record(
        session,
        user,
        "create",
        "report",
        report.id,
        after=report_content(report),
        confidentiality=level.value,
    )
    return Stored(report, True, "near" if near else None, score)


def _near_duplicate(
    session: Session, signature: Any, reader: Principal
) -> tuple[int | None, float | None]:
    keys = band_keys(signature)
    candidates = session.execute(
        select(Report.id, Report.signature)
        .where(Report.id.in_(select(ReportBand.report_id).where(ReportBand.band.in_(keys))))
        .where(visible(reader, Report.confidentiality))
        .order_by(Report.id)
    ).all()
    best: tuple[int | None, float | None] = (None, None)
    for report_id, stored in candidates:
        score = duplicates.similarity(signature, duplicates.signature_from_bytes(stored))
        if score >= duplicates.NEAR_DUPLICATE_THRESHOLD and (best[1] is None or score > best[1]):
            best = (report_id, round(float(score), 4))
    return best


def report_content(report: Report) -> dict[str, Any]:
    """A report as a JSON-safe dict (signature left out)."""
    data = audit.snapshot(report)
    data.pop("signature", None)
    data["countries"] = [c.iso3 for c in report.countries]
    return data


def report_summary(report: Report) -> dict[str, Any]:
    """The listing fields of a report (no text, signature or triage), read without I/O."""
    fields = ("id", "title", "url", "source_id", "published_at", "confidentiality",
              "near_duplicate_of", "similarity", "created_by", "created_at",
              "language", "relevance")  # fmt: skip
    data = {name: getattr(report, name) for name in fields}
    data["countries"] = [c.iso3 for c in report.countries]
    return data


def visible_reports(user: Principal) -> Any:
    """The base query of reports ``user`` is cleared to see."""
    return select(Report).where(visible(user, Report.confidentiality))


def get_report(session: Session, user: Principal, report_id: int) -> Report:
    """One report, or not-found if missing or above the user's clearance."""
    found = session.scalar(visible_reports(user).where(Report.id == report_id))
    if found is None:
        raise NotFoundError(f"no report {report_id}")
    return found


def _matching(
    query: Any,
    q: str | None,
    iso3: str | None,
    source: str | None,
    min_relevance: float | None = None,
) -> Any:
    """``query`` narrowed to reports containing ``q``, about ``iso3``, from ``source``, at
    least ``min_relevance`` relevant (reports never triaged are kept out by such a filter)."""
    if min_relevance is not None:
        query = query.where(Report.relevance >= min_relevance)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            or_(func.lower(Report.title).like(like), func.lower(Report.text).like(like))
        )
    if iso3:
        query = query.where(
            Report.id.in_(select(ReportCountry.report_id).where(ReportCountry.iso3 == iso3.upper()))
        )
    if source:
        query = query.where(Report.source_id.in_(select(Source.id).where(Source.name == source)))
    return query


def search_reports(
    session: Session,
    user: Principal,
    *,
    q: str | None = None,
    iso3: str | None = None,
    source: str | None = None,
    limit: int = 50,
    offset: int = 0,
    with_text: bool = False,
    min_relevance: float | None = None,
    by_relevance: bool = False,
) -> tuple[list[Report], int]:
    """Reports the user may see matching a text query, country, source and relevance; newest
    first, or most relevant first with ``by_relevance`` (untriaged last).

    Text, signature and triage are loaded only with ``with_text`` (lists do not show them).
    """
    query = _matching(visible_reports(user), q, iso3, source, min_relevance)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if not with_text:
        query = query.options(defer(Report.text), defer(Report.signature), defer(Report.triage))
    query = query.options(selectinload(Report.countries))
    order = (Report.relevance.desc().nulls_last(), Report.id.desc()) if by_relevance else ()
    rows = session.scalars(query.order_by(*order, Report.id.desc()).limit(limit).offset(offset))
    return list(rows), total


SUMMARY_COLUMNS = (
    Report.id, Report.title, Report.url, Report.source_id, Report.published_at,
    Report.confidentiality, Report.near_duplicate_of, Report.similarity, Report.created_by,
    Report.created_at, Report.language, Report.relevance,
)  # fmt: skip


def report_page(
    connection: Connection,
    user: Principal,
    *,
    q: str | None = None,
    iso3: str | None = None,
    source: str | None = None,
    limit: int = 50,
    offset: int = 0,
    min_relevance: float | None = None,
    by_relevance: bool = False,
) -> tuple[list[dict[str, Any]], int]:
    """One page of :func:`report_summary` dicts the user may see, newest (or most relevant)
    first, and the total.

    The same filters as :func:`search_reports` in two Core queries (the page with its total,
    then the page's countries) instead of ORM objects: lists are the API's busiest reads.
    """
    query = _matching(
        select(*SUMMARY_COLUMNS).where(visible(user, Report.confidentiality)),
        q,
        iso3,
        source,
        min_relevance,
    )
    if by_relevance:
        query = query.order_by(Report.relevance.desc().nulls_last())
    rows, total = page_of(connection, query, Report.id.desc(), limit=limit, offset=offset)
    countries = _countries_of(connection, [row["id"] for row in rows])
    for row in rows:
        row["countries"] = countries.get(row["id"], [])
    return rows, total


def report_detail(connection: Connection, user: Principal, report_id: int) -> dict[str, Any]:
    """:func:`report_summary` of one report plus its text and triage, within the clearance."""
    query = _detail_query(Level(user.clearance))
    found = connection.execute(query, {"report_id": report_id}).first()
    if found is None:
        raise NotFoundError(f"no report {report_id}")
    countries = _countries_of(connection, [report_id]).get(report_id, [])
    return dict(found._mapping) | {"countries": countries}


@cache
def _detail_query(clearance: Level) -> Any:
    """The query of one report seen at ``clearance``, built once per level and reused."""
    return select(*SUMMARY_COLUMNS, Report.text, Report.triage).where(
        Report.id == bindparam("report_id"),
        visible(Clearance(clearance.value), Report.confidentiality),
    )


_COUNTRIES_OF = (
    select(ReportCountry.report_id, ReportCountry.iso3)
    .where(ReportCountry.report_id.in_(bindparam("report_ids", expanding=True)))
    .order_by(ReportCountry.report_id, ReportCountry.iso3)
)


def _countries_of(connection: Connection, report_ids: list[int]) -> dict[int, list[str]]:
    """The countries of each report in ``report_ids``, alphabetically."""
    if not report_ids:
        return {}
    found: dict[int, list[str]] = {}
    pairs = connection.execute(_COUNTRIES_OF, {"report_ids": report_ids})
    for report_id, iso3 in pairs:
        found.setdefault(report_id, []).append(iso3)
    return found


def list_sources(session: Session, user: Principal) -> list[Source]:
    """Sources the user is cleared to see."""
    return list(
        session.scalars(
            select(Source).where(visible(user, Source.confidentiality)).order_by(Source.name)
        )
    )


def label(session: Session, user: Any, report: Report, factor_id: str, verdict: str) -> TriageLabel:
    """Record an analyst's verdict on a risk factor of a report."""
    require_role(user, Role.analyst, "Confirming or correcting triage")
    if verdict not in VERDICTS:
        raise UsageError(f"verdict {verdict!r}: use one of {', '.join(VERDICTS)}")
    from vigil.workspace.framework import load_framework

    factor = load_framework().factor(factor_id).id
    row = TriageLabel(
        report_id=report.id, factor_id=factor, verdict=verdict, by=user.name, at=utcnow()
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        user,
        "create",
        "triage_label",
        row.id,
        after=audit.snapshot(row),
        confidentiality=report.confidentiality,
    )
    return row


def labels_for(session: Session, report: Report) -> list[TriageLabel]:
    """Every verdict on a report, oldest first."""
    return list(
        session.scalars(
            select(TriageLabel).where(TriageLabel.report_id == report.id).order_by(TriageLabel.id)
        )
    )


def training_examples(session: Session, reader: Principal) -> list[tuple[str, str]]:
    """(text, factor_id) pairs confirmed or corrected by analysts, for triage to learn from.

    Only reports ``reader`` may see count (a triage result, its ``correction`` score above
    all, must not echo a text above the clearance of whoever reads it); only the latest
    verdict per report and factor counts, and a rejection cancels it.
    """
    rows = session.execute(
        select(TriageLabel.report_id, TriageLabel.factor_id, TriageLabel.verdict, Report.text)
        .join(Report, Report.id == TriageLabel.report_id)
        .where(visible(reader, Report.confidentiality))
        .order_by(TriageLabel.id)
    ).all()
    latest: dict[tuple[int, str], tuple[str, str]] = {}
    for report_id, factor_id, verdict, text in rows:
        latest[(report_id, factor_id)] = (verdict, text)
    return [
        (text, factor_id)
        for (_, factor_id), (verdict, text) in latest.items()
        if verdict in ("confirmed", "corrected")
    ]
