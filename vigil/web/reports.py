"""Signed-in report pages: the triage inbox, adding a report, and confirming its triage.

``/reports`` lists the reports the user's clearance covers, newest or most relevant first,
optionally only those triage found relevant; analysts get a form to upload a file or paste a
text. The upload goes through the same library calls as the API
(:func:`vigil.workspace.extraction.extract_upload` for files,
:func:`vigil.workspace.submission.submit_report` for triage, limits and clearance), then the
report's page shows its language, countries, risk factors and relevance, with a form per factor
to confirm, correct or reject it.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from vigil.errors import NotFoundError, VigilError
from vigil.web.pages import page
from vigil.web.workbench import Id, SignedIn, Token, _check_csrf, _db, _not_found
from vigil.workspace.access import Level, Role, has_role

router = APIRouter(include_in_schema=False)
LEVELS = [level.value for level in Level]
SORTS = ("newest", "relevance")


@router.get("/reports", response_class=HTMLResponse)
def reports(
    request: Request,
    user: SignedIn,
    q: Annotated[str, Query(max_length=200)] = "",
    sort: Annotated[str, Query(pattern="^(newest|relevance)$")] = "newest",
    min_relevance: Annotated[float | None, Query(ge=0, le=1)] = None,
    notice: Annotated[str, Query(max_length=300)] = "",
) -> Response:
    """Reports the user is cleared to see, newest or most relevant first, and the intake form."""
    from vigil.workspace.reports import list_sources, search_reports

    with _db(request).session(write=False) as session:
        rows, total = search_reports(
            session,
            user,
            q=q or None,
            limit=100,
            min_relevance=min_relevance,
            by_relevance=sort == "relevance",
        )
        items = [_row(r) for r in rows]
        sources = [s.name for s in list_sources(session, user)]
    return page(
        request,
        "reports.html",
        user=user,
        items=items,
        total=total,
        q=q,
        sort=sort,
        sorts=SORTS,
        min_relevance=min_relevance,
        sources=sources,
        levels=LEVELS[: LEVELS.index(str(user.clearance)) + 1],
        can_add=has_role(user, Role.analyst),
        notice=notice,
    )


def _row(report: Any) -> dict[str, Any]:
    return {
        "id": report.id,
        "title": report.title,
        "confidentiality": report.confidentiality,
        "countries": [c.iso3 for c in report.countries],
        "created_at": report.created_at,
        "language": report.language,
        "relevance": report.relevance,
    }


@router.post("/reports")
async def add_report(
    request: Request,
    user: SignedIn,
    csrf: Token,
    title: Annotated[str, Form(max_length=500)] = "",
    text: Annotated[str, Form(max_length=2_000_000)] = "",
    source: Annotated[str, Form(max_length=200)] = "",
    url: Annotated[str, Form(max_length=1000)] = "",
    confidentiality: Annotated[str, Form(max_length=20)] = "public",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Store an uploaded file's text or a pasted text as a report, triaged, and show it."""
    from vigil.workspace.extraction import extract_upload
    from vigil.workspace.reports import ReportInput

    _check_csrf(request, csrf)
    settings = request.app.state.settings
    wanted = settings.upload_max_bytes + 1
    data = await file.read(wanted) if file is not None and file.filename else b""
    try:
        if data:
            name, kind = file.filename if file else None, file.content_type if file else None
            read = partial(
                extract_upload,
                max_bytes=settings.upload_max_bytes,
                seconds=settings.extract_seconds,
            )
            extracted = await run_in_threadpool(read, data, kind, name)
            body, title = extracted.text, title.strip() or extracted.title or (name or "")
        elif text.strip():
            body = text
        else:
            return _back("Nothing to add: choose a file or paste a text.")
        given = ReportInput(
            title=title,
            text=body,
            url=url.strip() or None,
            source=source.strip() or None,
            confidentiality=confidentiality,
        )
        report_id = await run_in_threadpool(_submit, request, user, given)
    except VigilError as err:
        return _back(f"Not added: {err}")
    return RedirectResponse(f"/reports/{report_id}?notice=Report added and triaged.", 303)


def _submit(request: Request, user: Any, given: Any) -> int:
    from vigil.workspace.submission import submit_report

    embeddings = request.app.state.settings.triage_embeddings
    with _db(request).session() as session:
        stored = submit_report(session, user, given, use_embeddings=embeddings)
        return int(stored.report.id)


def _back(notice: str) -> RedirectResponse:
    from urllib.parse import quote

    return RedirectResponse(f"/reports?notice={quote(notice)}", status_code=303)


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report(
    request: Request,
    report_id: Id,
    user: SignedIn,
    notice: Annotated[str, Query(max_length=300)] = "",
) -> Response:
    """One report with its triage, if the user's clearance covers it (otherwise: not found)."""
    from vigil.workspace.framework import load_framework
    from vigil.workspace.links import is_web_url
    from vigil.workspace.reports import get_report, labels_for

    try:
        with _db(request).session(write=False) as session:
            found = get_report(session, user, report_id)
            item = _row(found) | {
                "text": found.text,
                "url": found.url if is_web_url(found.url) else None,
                "created_by": found.created_by,
                "triage": found.triage or {},
            }
            labels = [(x.factor_id, x.verdict, x.by) for x in labels_for(session, found)]
    except NotFoundError:
        return _not_found(request, user, f"No report {report_id} that you are cleared to see.")
    return page(
        request,
        "report.html",
        user=user,
        r=item,
        labels=labels,
        factors=load_framework().factors,
        names=request.app.state.web.snapshot.by_iso3,
        can_label=has_role(user, Role.analyst),
        notice=notice,
    )


@router.post("/reports/{report_id}/labels")
def label_factor(
    request: Request,
    report_id: Id,
    user: SignedIn,
    csrf: Token,
    factor_id: Annotated[str, Form(pattern=r"^RF([1-9]|1[0-4])$")],
    verdict: Annotated[str, Form(pattern="^(confirmed|corrected|rejected)$")],
) -> Response:
    """Confirm, correct (name the right factor) or reject a factor of a report's triage."""
    from vigil.workspace.reports import get_report, label

    _check_csrf(request, csrf)
    try:
        with _db(request).session() as session:
            label(session, user, get_report(session, user, report_id), factor_id, verdict)
        notice = f"{factor_id} {verdict}."
    except NotFoundError:
        return _not_found(request, user, f"No report {report_id} that you are cleared to see.")
    except VigilError as err:
        notice = f"Not recorded: {err}"
    return RedirectResponse(f"/reports/{report_id}?notice={notice}", status_code=303)
