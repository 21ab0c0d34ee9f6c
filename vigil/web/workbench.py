"""Signed-in pages: the alerts inbox, the response board, the assessment editor.

Every form carries the CSRF token of :func:`vigil.web.context.csrf_token`; every read goes
through the workspace's clearance-aware queries, so a viewer never sees what their clearance
does not cover (a hidden item answers 404, as in the API).
"""

from __future__ import annotations

import hmac
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vigil.api.security import Caller
from vigil.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UsageError,
)
from vigil.web.context import csrf_token
from vigil.web.pages import page
from vigil.web.visitor import visitor
from vigil.workspace.access import Level, Role, has_role

router = APIRouter(include_in_schema=False)
Viewer = Annotated[Caller | None, Depends(visitor)]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Token = Annotated[str, Form(max_length=64)]
PROBLEMS = (ConflictError, PermissionDeniedError, UsageError)


async def signed_in(request: Request, user: Viewer) -> Caller:
    """The signed-in caller; anyone else is sent to the sign-in page (303) and back after."""
    if user is None:
        raise HTTPException(
            status_code=303, headers={"Location": f"/login?next={request.url.path}"}
        )
    return user


SignedIn = Annotated[Caller, Depends(signed_in)]


def _check_csrf(request: Request, token: str) -> None:
    if not hmac.compare_digest(token, csrf_token(request)):
        raise PermissionDeniedError("the form expired or came from elsewhere; reload the page")


def _not_found(request: Request, user: Caller, what: str) -> Response:
    """The 404 page: what was asked for is missing or above the user's clearance."""
    return page(request, "not_found.html", status=404, user=user, what=what)


def _db(request: Request) -> Any:
    return request.app.state.db


@router.get("/alerts", response_class=HTMLResponse)
def alerts_inbox(
    request: Request,
    user: SignedIn,
    state: Annotated[str, Query(pattern="^(open|acknowledged|action_taken|closed|all)?$")] = "open",
    notice: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Alerts the user may see, by state, newest first."""
    from vigil.web.context import _alert
    from vigil.workspace.alerts import list_alerts

    with _db(request).session(write=False) as session:
        rows, total = list_alerts(
            session, user, state=None if state in ("", "all") else state, limit=200
        )
        alerts = [_alert(a) for a in rows]
    names = request.app.state.web.snapshot.by_iso3
    return page(
        request,
        "alerts.html",
        user=user,
        alerts=alerts,
        total=total,
        state=state,
        names=names,
        can_act=has_role(user, Role.analyst),
        notice=notice,
    )


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(
    request: Request,
    alert_id: Id,
    user: SignedIn,
    csrf: Token,
    version: Annotated[int, Form(ge=1)],
) -> Response:
    """Acknowledge an open alert (analysts and above)."""
    from vigil.workspace.alerts import get_alert, update_alert

    _check_csrf(request, csrf)
    try:
        with _db(request).session() as session:
            alert = get_alert(session, user, alert_id)
            update_alert(session, user, alert, expected_version=version, state="acknowledged")
        notice = f"Alert {alert_id} acknowledged."
    except PROBLEMS as err:
        notice = str(err)
    return RedirectResponse(f"/alerts?notice={notice}", status_code=303)


@router.get("/responses", response_class=HTMLResponse)
def response_board(request: Request, user: SignedIn) -> Response:
    """Per situation: alerts, actions, days from first alert to first action, open gaps."""
    from vigil.workspace.responses import ActionStatus, ActionType, list_actions, response_report

    with _db(request).session(write=False) as session:
        report = response_report(session, user)
        actions, _ = list_actions(session, user, limit=100)
        rows = [_action(a, user) for a in actions]
    return page(
        request,
        "responses.html",
        user=user,
        report=report,
        actions=rows,
        types=list(ActionType),
        statuses=list(ActionStatus),
        levels=Level(user.clearance).levels_up_to(),
        names=request.app.state.web.snapshot.by_iso3,
        today=date.today(),
        can_act=has_role(user, Role.analyst),
    )


def _action(action: Any, user: Caller) -> Any:
    """An action as the API shows it to ``user`` (the pages read the same response model, with
    only the linked alerts and assessments the user is cleared to see)."""
    from vigil.api.routers.responses import ActionOut
    from vigil.workspace.responses import action_content

    return ActionOut.model_validate(action_content(action, user))


@router.post("/responses")
def record(
    request: Request,
    user: SignedIn,
    csrf: Token,
    iso3: Annotated[str, Form(pattern=r"^[A-Za-z]{3}$")],
    type: Annotated[str, Form(max_length=40)],
    actor: Annotated[str, Form(max_length=200)],
    title: Annotated[str, Form(min_length=1, max_length=300)],
    started_on: Annotated[date, Form()],
    status: Annotated[str, Form(max_length=20)] = "planned",
    alert_id: Annotated[int | None, Form(ge=1)] = None,
    confidentiality: Annotated[str, Form(max_length=20)] = "public",
) -> Response:
    """Record a preventive action, optionally linked to an alert."""
    from vigil.workspace.responses import ActionInput, record_action

    _check_csrf(request, csrf)
    given = ActionInput(
        iso3=iso3,
        type=type,
        actor=actor,
        title=title,
        started_on=started_on,
        status=status,
        alert_ids=(alert_id,) if alert_id else (),
        confidentiality=confidentiality,
    )
    with _db(request).session() as session:
        record_action(session, user, given)
    return RedirectResponse("/responses", status_code=303)


@router.get("/assessments", response_class=HTMLResponse)
def assessments(request: Request, user: SignedIn) -> Response:
    """Framework of Analysis assessments the user may see, and a form to start one."""
    from vigil.workspace.assessments import list_assessments

    with _db(request).session(write=False) as session:
        rows, _ = list_assessments(session, user, limit=200)
        items = [
            {
                "id": a.id,
                "iso3": a.iso3,
                "assessed_on": a.assessed_on,
                "status": a.status,
                "confidentiality": a.confidentiality,
                "version": a.version,
            }
            for a in rows
        ]
    snap = request.app.state.web.snapshot
    return page(
        request,
        "assessments.html",
        user=user,
        items=items,
        names=snap.by_iso3,
        countries=sorted(snap.countries, key=lambda c: c["name"]),
        today=date.today(),
        can_act=has_role(user, Role.analyst),
    )


@router.post("/assessments")
def start_assessment(
    request: Request,
    user: SignedIn,
    csrf: Token,
    iso3: Annotated[str, Form(pattern=r"^[A-Za-z]{3}$")],
    assessed_on: Annotated[date, Form()],
    confidentiality: Annotated[str, Form(max_length=20)] = "public",
) -> Response:
    """Start a draft assessment and open it in the editor."""
    from vigil.workspace.assessments import create_assessment

    _check_csrf(request, csrf)
    with _db(request).session() as session:
        created = create_assessment(
            session, user, iso3, assessed_on, confidentiality=confidentiality
        )
        new_id = created.id
    return RedirectResponse(f"/assessments/{new_id}", status_code=303)


@router.get("/assessments/{assessment_id}", response_class=HTMLResponse)
def editor(
    request: Request,
    assessment_id: Id,
    user: SignedIn,
    notice: Annotated[str, Query(max_length=300)] = "",
) -> Response:
    """The assessment editor: every indicator of the Framework, grouped by risk factor."""
    from vigil.workspace.assessments import (
        Confidence,
        Rating,
        content,
        get_assessment,
        overall,
        summarise,
    )
    from vigil.workspace.framework import load_framework

    try:
        with _db(request).session(write=False) as session:
            data = content(get_assessment(session, user, assessment_id))
    except NotFoundError:
        return _not_found(
            request, user, f"No assessment {assessment_id} that you are cleared to see."
        )
    ratings = {r["indicator_id"]: r for r in data["ratings"]}
    factors = summarise(data["ratings"])
    return page(
        request,
        "assessment.html",
        user=user,
        a=data,
        ratings=ratings,
        framework=load_framework(),
        factors={f.factor_id: f for f in factors},
        overall=overall(factors),
        rating_values=list(Rating),
        confidence_values=list(Confidence),
        notice=notice,
        names=request.app.state.web.snapshot.by_iso3,
        editable=data["status"] == "draft" and has_role(user, Role.analyst),
    )


@router.post("/assessments/{assessment_id}")
async def save_assessment(request: Request, assessment_id: Id, user: SignedIn) -> Response:
    """Save the editor's ratings and summary (refused if someone saved a newer version)."""
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    fields = {k: str(v) for k, v in form.items()}
    _check_csrf(request, fields.get("csrf", ""))
    notice = await run_in_threadpool(_save, request, assessment_id, user, fields)
    return RedirectResponse(f"/assessments/{assessment_id}?notice={notice}", status_code=303)


def _save(request: Request, assessment_id: int, user: Caller, fields: dict[str, str]) -> str:
    from vigil.workspace.assessments import RatingInput, get_assessment, update_assessment

    ratings = [
        RatingInput(
            indicator_id=key[7:],
            rating=value,
            confidence=fields.get(f"confidence:{key[7:]}", "medium"),
            note=fields.get(f"note:{key[7:]}", ""),
            evidence=None,
        )
        for key, value in fields.items()
        if key.startswith("rating:")
    ]
    try:
        with _db(request).session() as session:
            found = get_assessment(session, user, assessment_id)
            update_assessment(
                session,
                user,
                found,
                expected_version=int(fields.get("version", 0)),
                ratings=ratings,
                summary=fields.get("summary", ""),
            )
        return "Saved."
    except (*PROBLEMS, ValueError) as err:
        return f"Not saved: {err}"
