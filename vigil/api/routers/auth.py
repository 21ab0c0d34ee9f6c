"""Web sign-in: ``POST /login`` sets a signed session cookie, ``POST /logout`` clears it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from vigil.api.errors import ERRORS
from vigil.api.security import SESSION_COOKIE, SESSION_MAX_AGE, Db, serializer
from vigil.workspace import audit
from vigil.workspace.users import authenticate

router = APIRouter(tags=["session"], responses=ERRORS)


def _safe_next(target: str) -> str:
    """Only local paths are followed after sign-in (no open redirects)."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.post("/login", status_code=303, response_class=RedirectResponse)
def login(
    request: Request,
    db: Db,
    username: Annotated[str, Form(max_length=120)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=1000)] = "/",
) -> RedirectResponse:
    """Check a user name and password; on success set the session cookie and redirect."""
    with db.session() as session:
        user = authenticate(session, username, password)
        audit.record(session, user, "login", "user", user.id)
        token = serializer(request).dumps({"uid": user.id})
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout", status_code=303, response_class=RedirectResponse)
def logout() -> RedirectResponse:
    """Forget the session cookie."""
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
