"""Reports and sources: intake (JSON, file upload, feed), search, export, triage and labels."""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from vigil.api.errors import ERRORS
from vigil.api.pagination import Page, Paging
from vigil.api.security import Analyst, Anyone, Caller, Db
from vigil.errors import ConflictError, NotFoundError
from vigil.spreadsheet import csv_text
from vigil.workspace import intake
from vigil.workspace import reports as store
from vigil.workspace.access import Level
from vigil.workspace.database import Database
from vigil.workspace.outbound import OutboundPolicy

router = APIRouter(tags=["reports"], responses=ERRORS)
ReportId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Iso3Query = Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")]


class ReportIn(BaseModel):
    title: str = Field(default="", max_length=500)
    text: str = Field(min_length=1, max_length=store.MAX_TEXT)
    url: str | None = Field(default=None, max_length=1000)
    source: str | None = Field(default=None, max_length=200)
    published_at: datetime | None = None
    confidentiality: Level = Level.public
    countries: list[Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]] = Field(
        default_factory=list, max_length=50
    )


class ReportOut(BaseModel):
    id: int
    title: str
    url: str | None
    source_id: int | None
    published_at: datetime | None
    confidentiality: Level
    countries: list[str]
    near_duplicate_of: int | None
    similarity: float | None
    created_by: str
    created_at: datetime
    language: str | None = None
    relevance: float | None = None
    triage: dict[str, Any] | None = None
    text: str | None = None


class SourceIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["feed", "file", "api", "manual"] = "manual"
    url: str | None = Field(default=None, max_length=1000)
    confidentiality: Level = Level.public


class SourceOut(BaseModel):
    """A report source, or a live data source (``vigil sources``) with its freshness."""

    id: int | None = Field(description="Workspace id; null for a live source with no reports.")
    name: str
    kind: str
    url: str | None
    confidentiality: Level
    created_at: datetime | None
    every: str | None = Field(None, description="A live source's sync interval.")
    status: str | None = Field(None, description="Outcome of its last sync: ok, failed, running.")
    error: str | None = None
    through: date | None = Field(None, description="Its data reach this date.")
    last_synced: datetime | None = None
    stale: bool = Field(False, description="Live, and not synced within twice its interval.")
    freshness: str | None = Field(None, description="'events through DATE, last synced AGO …'")


class LabelIn(BaseModel):
    factor_id: str = Field(pattern=r"^RF([1-9]|1[0-4])$")
    verdict: Literal["confirmed", "corrected", "rejected"]


class LabelOut(BaseModel):
    id: int
    report_id: int
    factor_id: str
    verdict: str
    by: str
    at: datetime


class PollOut(BaseModel):
    read: int
    stored: int
    duplicates: int
    report_ids: list[int]


def _out(report: store.Report, *, full: bool) -> ReportOut:
    data = store.report_summary(report)
    return ReportOut(
        **{k: data[k] for k in ReportOut.model_fields if k in data and k not in ("text", "triage")},
        triage=report.triage if full else None,
        text=report.text if full else None,
    )


def _triage(session: Session, text: str, request: Request, level: str) -> dict[str, Any]:
    from vigil.workspace.submission import triage_for_storage

    embeddings = request.app.state.settings.triage_embeddings
    return triage_for_storage(session, text, level=level, use_embeddings=embeddings)


def _ingest(
    db: Database, caller: Caller, given: store.ReportInput, request: Request, run_triage: bool
) -> store.Stored:
    from vigil.workspace.submission import submit_report

    embeddings = request.app.state.settings.triage_embeddings
    with db.session() as session:
        return submit_report(
            session, caller, given, run_triage=run_triage, use_embeddings=embeddings
        )


@router.get("/reports", response_model=Page[ReportOut])
def list_reports(
    caller: Anyone,
    db: Db,
    page: Paging,
    q: Annotated[str | None, Query(max_length=200, description="Text to search for.")] = None,
    iso3: Iso3Query = None,
    source: Annotated[str | None, Query(max_length=200)] = None,
    min_relevance: Annotated[float | None, Query(ge=0, le=1)] = None,
    sort: Literal["newest", "relevance"] = "newest",
) -> Page[ReportOut]:
    """Reports within the caller's clearance, newest (or most relevant) first; search title and
    text with ``q``; ``min_relevance`` keeps reports triage found at least that relevant."""
    with db.reading() as connection:
        rows, total = store.report_page(
            connection, caller, q=q, iso3=iso3, source=source, limit=page.limit,
            offset=page.offset, min_relevance=min_relevance, by_relevance=sort == "relevance",
        )  # fmt: skip
    items = [ReportOut(**row) for row in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/reports", response_model=ReportOut, status_code=201)
def add_report(
    body: ReportIn,
    caller: Analyst,
    db: Db,
    request: Request,
    triage: Annotated[bool, Query(description="Detect countries and risk factors.")] = True,
) -> ReportOut:
    """Store a report's text; 409 if the same text is already stored."""
    given = store.ReportInput(
        title=body.title,
        text=body.text,
        url=body.url,
        source=body.source,
        published_at=body.published_at,
        confidentiality=body.confidentiality.value,
        countries=tuple(body.countries),
    )
    return _out(_ingest(db, caller, given, request, triage).report, full=True)


@router.post("/reports/upload", response_model=ReportOut, status_code=201)
async def upload_report(
    caller: Analyst,
    db: Db,
    request: Request,
    file: Annotated[UploadFile, File(description="A text, HTML or PDF file.")],
    confidentiality: Annotated[Level, Form()] = Level.public,
    source: Annotated[str | None, Form(max_length=200)] = None,
) -> ReportOut:
    """Extract the text of an uploaded file and store it as a report.

    The body was already capped by the server; the text is read in a worker process within
    time, page and length limits, and triaged only once its length is known to be acceptable.
    """
    from starlette.concurrency import run_in_threadpool

    from vigil.workspace.extraction import extract_upload

    settings = request.app.state.settings
    data = await file.read(settings.upload_max_bytes + 1)
    extracted = await run_in_threadpool(
        partial(
            extract_upload,
            max_bytes=settings.upload_max_bytes,
            seconds=settings.extract_seconds,
        ),
        data,
        file.content_type,
        file.filename,
    )
    given = store.ReportInput(
        title=extracted.title or file.filename or "",
        text=extracted.text,
        source=source,
        confidentiality=confidentiality.value,
    )
    stored = await run_in_threadpool(_ingest, db, caller, given, request, True)
    return _out(stored.report, full=True)


@router.get(
    "/reports/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}},
)
def export_reports(
    caller: Anyone,
    db: Db,
    format: Literal["csv", "jsonl"] = "csv",
    iso3: Iso3Query = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Every report the caller may see (no more), as CSV or JSON lines."""
    with db.session(write=False) as session:
        rows, _ = store.search_reports(
            session, caller, q=q, iso3=iso3, limit=1_000_000, with_text=True
        )
        records = [store.report_content(r) | {"text": r.text} for r in rows]
    fields = [
        "id",
        "title",
        "confidentiality",
        "countries",
        "url",
        "created_at",
        "created_by",
        "near_duplicate_of",
        "text",
    ]
    if format == "jsonl":
        body = "".join(json.dumps({k: r.get(k) for k in fields}) + "\n" for r in records)
        return Response(body, media_type="application/x-ndjson")
    cells = ([{**r, "countries": " ".join(r["countries"])}.get(k) for k in fields] for r in records)
    return Response(csv_text(fields, cells), media_type="text/csv")


@router.get("/reports/{report_id}", response_model=ReportOut)
def get_report(report_id: ReportId, caller: Anyone, db: Db) -> ReportOut:
    """One report with its text and triage."""
    with db.reading() as connection:
        return ReportOut(**store.report_detail(connection, caller, report_id))


@router.post("/reports/{report_id}/triage", response_model=ReportOut)
def retriage(report_id: ReportId, caller: Analyst, db: Db, request: Request) -> ReportOut:
    """Triage a report again (using every correction analysts have made since)."""
    with db.session() as session:
        from vigil.workspace.submission import apply_triage

        report = store.get_report(session, caller, report_id)
        apply_triage(report, _triage(session, report.text, request, report.confidentiality))
        return _out(report, full=True)


@router.get("/reports/{report_id}/labels", response_model=list[LabelOut])
def list_labels(report_id: ReportId, caller: Anyone, db: Db) -> list[LabelOut]:
    """Analysts' verdicts on the report's risk factors."""
    with db.session(write=False) as session:
        report = store.get_report(session, caller, report_id)
        return [
            LabelOut.model_validate(x, from_attributes=True)
            for x in store.labels_for(session, report)
        ]


@router.post("/reports/{report_id}/labels", response_model=LabelOut, status_code=201)
def add_label(report_id: ReportId, body: LabelIn, caller: Analyst, db: Db) -> LabelOut:
    """Confirm, correct (name the right factor) or reject a triage factor."""
    with db.session() as session:
        report = store.get_report(session, caller, report_id)
        row = store.label(session, caller, report, body.factor_id, body.verdict)
        return LabelOut.model_validate(row, from_attributes=True)


@router.get("/sources", response_model=list[SourceOut])
def list_sources(caller: Anyone, db: Db, request: Request) -> list[SourceOut]:
    """Sources within the caller's clearance, and the live sources with freshness and ``stale``."""
    with db.session(write=False) as session:
        rows = {
            s.name: SourceOut.model_validate(s, from_attributes=True)
            for s in store.list_sources(session, caller)
        }
    return _with_live(rows, request.app.state.live.read())


def _with_live(rows: dict[str, SourceOut], picture: Any) -> list[SourceOut]:
    """Merge the live sources' sync state into the list (by name; new rows for the others)."""
    for live in picture.rows():
        fields = {k: live[k] for k in ("every", "status", "error", "through", "last_synced")}
        fields |= {"stale": live["stale"], "freshness": live["freshness"]}
        if live["name"] in rows:
            rows[live["name"]] = rows[live["name"]].model_copy(update=fields)
        else:
            rows[live["name"]] = SourceOut(
                id=None,
                name=live["name"],
                kind=live["kind"],
                url=live["url"],
                confidentiality=Level.public,
                created_at=None,
                **fields,
            )
    return list(rows.values())


@router.post("/sources", response_model=SourceOut, status_code=201)
def add_source(body: SourceIn, caller: Analyst, db: Db, request: Request) -> SourceOut:
    """Register a source (a feed URL for ``kind: feed``)."""
    with db.session() as session:
        source = store.add_source(
            session,
            caller,
            body.name,
            kind=body.kind,
            url=body.url,
            confidentiality=body.confidentiality.value,
            policy=OutboundPolicy.from_settings(request.app.state.settings),
        )
        return SourceOut.model_validate(source, from_attributes=True)


@router.post("/sources/{source_id}/poll", response_model=PollOut)
def poll_source(
    source_id: Annotated[int, Path(ge=1, le=2**31 - 1)], caller: Analyst, db: Db, request: Request
) -> PollOut:
    """Read a feed source now and store its new entries (duplicates are skipped)."""
    with db.session(write=False) as session:
        source = next((s for s in store.list_sources(session, caller) if s.id == source_id), None)
        if source is None or source.kind != "feed" or not source.url:
            raise NotFoundError(f"no feed source {source_id}")
        name, url = source.name, source.url
    items = intake.read_feed(url, policy=OutboundPolicy.from_settings(request.app.state.settings))
    ids, duplicates = [], 0
    for item in items:
        given = store.ReportInput(
            title=item.title,
            text=f"{item.title}\n\n{item.text}",
            url=item.link,
            source=name,
            published_at=item.published,
        )
        try:
            ids.append(_ingest(db, caller, given, request, True).report.id)
        except ConflictError:
            duplicates += 1
    return PollOut(read=len(items), stored=len(ids), duplicates=duplicates, report_ids=ids)
