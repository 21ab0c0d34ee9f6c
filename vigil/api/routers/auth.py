"""Web sign-in: ``POST /login`` starts a server-side session, ``POST /logout`` ends it.

Sign-in is throttled per user name and per client address (429 with ``Retry-After``), every
failure is audited, and posts that a browser marks as cross-site are refused.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from vigil.api.errors import ERRORS
from vigil.api.security import SESSION_COOKIE, Db, refuse_cross_site
from vigil.workspace.sessions import SignInPolicy, end_session, sign_in

router = APIRouter(tags=["session"], responses=ERRORS)


def _safe_next(target: str) -> str:
    """Only local paths are followed after sign-in (no open redirects)."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


def client_address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy: as the proxy reports)."""
    return request.client.host if request.client is not None else "unknown"


@router.post("/login", status_code=303, response_class=RedirectResponse)
def login(
    request: Request,
    db: Db,
    username: Annotated[str, Form(max_length=120)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=1000)] = "/",
) -> RedirectResponse:
    """Check a user name and password; on success set the session cookie and redirect (to the
    password page first while a one-time password must be changed)."""
    refuse_cross_site(request)
    policy = SignInPolicy.from_settings(request.app.state.settings)
    started = sign_in(db, username, password, client_address(request), policy)
    target = _safe_next(next)
    if started.must_change_password:
        target = f"/password?next={quote(target)}"
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, started.token, policy)
    return response


def set_session_cookie(
    request: Request, response: Response, token: str, policy: SignInPolicy
) -> None:
    """Attach the session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS)."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(policy.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


@router.post("/logout", status_code=303, response_class=RedirectResponse)
def logout(request: Request, db: Db) -> RedirectResponse:
    """End the session on the server and forget the cookie."""
    refuse_cross_site(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and len(cookie) <= 200:
        with db.session() as session:
            end_session(session, cookie)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
