"""The account pages: the sign-in form's target and the password change.

``/signin`` is the login form's target: the API's sign-in, but a wrong password or too many
attempts re-show the form with a message. ``/password`` lets a signed-in user change their
password, and is the only page a user with a one-time password can reach until they do.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from vigil.api.routers.auth import _safe_next, client_address, login, set_session_cookie
from vigil.api.security import csrf_token, optional_user, refuse_cross_site
from vigil.errors import AuthenticationError, TooManyRequestsError, UsageError
from vigil.web.pages import page

router = APIRouter(include_in_schema=False)
Secret = Annotated[str, Form(max_length=1000)]


@router.post("/signin", response_class=HTMLResponse)
def sign_in(
    request: Request,
    username: Annotated[str, Form(max_length=120)],
    password: Secret,
    next: Annotated[str, Form(max_length=1000)] = "/alerts",
) -> Response:
    """Sign in from the form; failures re-show it (401, or 429 with Retry-After)."""
    try:
        return login(request, request.app.state.db, username, password, next)
    except AuthenticationError:
        return page(request, "login.html", status=401, user=None, next=next, username=username,
                    error="Unknown user name or wrong password.")  # fmt: skip
    except TooManyRequestsError as err:
        response = page(request, "login.html", status=429, user=None, next=next,
                        username=username, error=f"Too many failed sign-ins: {err}.")  # fmt: skip
        response.headers["Retry-After"] = str(err.retry_after)
        return response


@router.get("/password", response_class=HTMLResponse)
async def password_form(
    request: Request, next: Annotated[str, Query(max_length=500)] = "/alerts"
) -> Response:
    """The password change form (signed-in users only)."""
    user = await run_in_threadpool(optional_user, request, None)
    if user is None:
        return RedirectResponse("/login?next=/password", status_code=303)
    return page(request, "password.html", user=user, next=_safe_next(next), error="")


@router.post("/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    csrf: Annotated[str, Form(max_length=64)],
    current: Secret,
    new: Secret,
    repeat: Secret,
    next: Annotated[str, Form(max_length=1000)] = "/alerts",
) -> Response:
    """Check the form, change the password, end every session and start a fresh one."""
    from vigil.workspace.sessions import SignInPolicy, start_session
    from vigil.workspace.users import change_own_password, get_user_by_id

    refuse_cross_site(request)
    user = optional_user(request, None)
    if user is None:
        return RedirectResponse("/login?next=/password", status_code=303)
    if not hmac.compare_digest(csrf, csrf_token(request)):
        return _again(request, user, next, "The form expired; try again.", 403)
    if new != repeat:
        return _again(request, user, next, "The two new passwords differ.", 400)
    policy = SignInPolicy.from_settings(request.app.state.settings)
    try:
        with request.app.state.db.session() as session:
            account = change_own_password(session, get_user_by_id(session, user.id), current, new)
            token = start_session(session, account, client_address(request), policy)
    except AuthenticationError:
        return _again(request, user, next, "The current password is wrong.", 401)
    except UsageError as err:
        return _again(request, user, next, f"{err}.", 400)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, token, policy)
    return response


def _again(request: Request, user: object, next: str, error: str, status: int) -> Response:
    return page(request, "password.html", status=status, user=user, next=next, error=error)
