"""Who is calling: Bearer tokens for programs, a server-side session cookie for the web pages.

``current_user`` is the dependency every route (and the web pages) use; it accepts either form
of credentials and returns a plain :class:`Caller`. ``requires(role)`` adds the role check, so
unauthenticated writes answer 401 and writes above the caller's role answer 403.

A write that rides on the session cookie (any method but GET, HEAD and OPTIONS) must prove it
comes from Vigil's own pages: an ``X-CSRF-Token`` header with the token of the page's forms,
or an ``Origin`` (else ``Referer``) of this very site. Bearer-token requests need neither,
since browsers never attach tokens on their own.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from vigil.errors import AuthenticationError, PermissionDeniedError
from vigil.workspace.access import Role, require_role
from vigil.workspace.database import Database
from vigil.workspace.sessions import session_owner
from vigil.workspace.users import User, token_owner

SESSION_COOKIE = "vigil_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
bearer = HTTPBearer(auto_error=False, description="A personal API token from `vigil users token`.")


@dataclass(frozen=True)
class Caller:
    """The authenticated user of a request, detached from any database session."""

    id: int
    name: str
    role: str
    clearance: str
    must_change_password: bool = False

    @classmethod
    def of(cls, user: User) -> Caller:
        return cls(id=user.id, name=user.name, role=user.role, clearance=user.clearance)


def session_secret(home: Path) -> str:
    """The key behind the forms' CSRF tokens, created once (mode 600) in the data directory."""
    from vigil.files import private_dir

    path = home / "session.key"
    if not path.exists():
        private_dir(home)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def csrf_token(request: Request) -> str:
    """A token bound to the session cookie: forms (and cookie-borne API writes) echo it."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    secret = str(request.app.state.session_secret)
    return hashlib.sha256(f"{secret}|csrf|{cookie}".encode()).hexdigest()[:32]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: Request) -> bool | None:
    """Whether the browser says the request comes from this site: True, False, or None when
    it says nothing (no ``Origin``, ``Referer`` or ``Sec-Fetch-Site``: not a browser)."""
    own = _origin(str(request.base_url))
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.lower() == own
    referer = request.headers.get("referer")
    if referer:
        return _origin(referer) == own
    return None if fetch_site is None else True


def refuse_cross_site(request: Request) -> None:
    """Refuse a request the browser marks as coming from another site (sign-in, sign-out)."""
    if same_origin(request) is False:
        raise PermissionDeniedError("this form was posted from another site; use Vigil's own")


def check_cookie_write(request: Request) -> None:
    """Refuse a cookie-authenticated write without the CSRF token or a same-origin header."""
    if request.method in SAFE_METHODS:
        return
    token = request.headers.get(CSRF_HEADER, "")
    if token and hmac.compare_digest(token, csrf_token(request)):
        return
    if same_origin(request) is True:
        return
    raise PermissionDeniedError(
        "a write signed in by cookie needs the X-CSRF-Token header or a same-origin Origin; "
        "programs should send 'Authorization: Bearer <token>'"
    )


async def database(request: Request) -> Database:
    """The application's database."""
    db: Database = request.app.state.db
    return db


def optional_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller | None:
    """The caller if a valid token or session cookie came with the request, else None.

    A token that is present but invalid is an error rather than anonymity.
    """
    db: Database = request.app.state.db
    if credentials is not None:
        return _token_caller(db, credentials.credentials)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie or len(cookie) > 200:
        return None
    with db.reading() as connection:
        found = session_owner(connection, cookie)
    return None if found is None else Caller(**found)


def _token_caller(db: Database, token: str) -> Caller:
    """The owner of a token, looked up on every request rather than cached.

    The lookup is one indexed query on the SHA-256 of the token, so revoking a token or
    disabling, demoting or lowering the clearance of a user takes effect on the next request,
    in every worker process.
    """
    with db.reading() as connection:
        return Caller(**token_owner(connection, token))


async def resolve_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller | None:
    """:func:`optional_user` without a thread hop when no credentials came; a write on the
    session cookie must pass :func:`check_cookie_write`."""
    if credentials is None and not request.cookies.get(SESSION_COOKIE):
        return None
    if credentials is None:
        check_cookie_write(request)
    return await run_in_threadpool(optional_user, request, credentials)


async def signed_in(caller: Annotated[Caller | None, Depends(resolve_user)]) -> Caller:
    """The caller, or 401 when the request carries no valid credentials (a password change
    may still be due: only the password route uses this directly)."""
    if caller is None:
        raise AuthenticationError(
            "sign in first: send 'Authorization: Bearer <token>' (see `vigil users token`)"
        )
    return caller


async def current_user(caller: Annotated[Caller, Depends(signed_in)]) -> Caller:
    """The caller, or 401 without credentials, or 403 while a forced password change is due."""
    if caller.must_change_password:
        raise PermissionDeniedError(
            "change your one-time password first: POST /api/v1/users/me/password or /password"
        )
    return caller


def requires(role: Role) -> Callable[[Caller], Awaitable[Caller]]:
    """A dependency admitting callers with ``role`` or higher (401 if anonymous, else 403)."""

    async def check(caller: Annotated[Caller, Depends(current_user)]) -> Caller:
        require_role(caller, role, f"This request ({role.value} or higher)")
        return caller

    return check


Anyone = Annotated[Caller, Depends(current_user)]
SignedIn = Annotated[Caller, Depends(signed_in)]
MaybeAnyone = Annotated[Caller | None, Depends(resolve_user)]
Analyst = Annotated[Caller, Depends(requires(Role.analyst))]
Reviewer = Annotated[Caller, Depends(requires(Role.reviewer))]
Admin = Annotated[Caller, Depends(requires(Role.admin))]
Db = Annotated[Database, Depends(database)]
