"""Who is calling: Bearer tokens for programs, a signed session cookie for the web pages.

``current_user`` is the dependency every route (and the web pages) use; it accepts either form
of credentials and returns a plain :class:`Caller`. ``requires(role)`` adds the role check, so
unauthenticated writes answer 401 and writes above the caller's role answer 403.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool

from vigil.errors import AuthenticationError, NotFoundError
from vigil.workspace.access import Role, require_role
from vigil.workspace.database import Database
from vigil.workspace.users import User, get_user_by_id, token_owner

SESSION_COOKIE = "vigil_session"
SESSION_MAX_AGE = 12 * 3600
bearer = HTTPBearer(auto_error=False, description="A personal API token from `vigil users token`.")


@dataclass(frozen=True)
class Caller:
    """The authenticated user of a request, detached from any database session."""

    id: int
    name: str
    role: str
    clearance: str

    @classmethod
    def of(cls, user: User) -> Caller:
        return cls(id=user.id, name=user.name, role=user.role, clearance=user.clearance)


def session_secret(home: Path) -> str:
    """The key signing session cookies, created once (mode 600) in the data directory."""
    path = home / "session.key"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def serializer(request: Request) -> URLSafeTimedSerializer:
    """The cookie signer of this application."""
    return URLSafeTimedSerializer(request.app.state.session_secret, salt="vigil-session")


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
    if not cookie:
        return None
    try:
        data = serializer(request).loads(cookie, max_age=SESSION_MAX_AGE)
    except BadSignature:
        return None
    with db.session(write=False) as session:
        try:
            user = get_user_by_id(session, int(data["uid"]))
        except (NotFoundError, KeyError, TypeError, ValueError):  # stale cookie: signed out
            return None
        return Caller.of(user) if user.active else None


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
    """:func:`optional_user` without a thread hop when no credentials came."""
    if credentials is None and not request.cookies.get(SESSION_COOKIE):
        return None
    return await run_in_threadpool(optional_user, request, credentials)


async def current_user(caller: Annotated[Caller | None, Depends(resolve_user)]) -> Caller:
    """The caller, or 401 when the request carries no valid credentials."""
    if caller is None:
        raise AuthenticationError(
            "sign in first: send 'Authorization: Bearer <token>' (see `vigil users token`)"
        )
    return caller


def requires(role: Role) -> Callable[[Caller], Awaitable[Caller]]:
    """A dependency admitting callers with ``role`` or higher (401 if anonymous, else 403)."""

    async def check(caller: Annotated[Caller, Depends(current_user)]) -> Caller:
        require_role(caller, role, f"This request ({role.value} or higher)")
        return caller

    return check


Anyone = Annotated[Caller, Depends(current_user)]
MaybeAnyone = Annotated[Caller | None, Depends(resolve_user)]
Analyst = Annotated[Caller, Depends(requires(Role.analyst))]
Reviewer = Annotated[Caller, Depends(requires(Role.reviewer))]
Admin = Annotated[Caller, Depends(requires(Role.admin))]
Db = Annotated[Database, Depends(database)]
