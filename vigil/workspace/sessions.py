"""Web sign-in: server-side sessions that can be ended, and throttled, audited sign-in.

A session is a random token in the browser's cookie and only its SHA-256 in the database,
with an expiry; signing out, a password change or disabling the user ends it at once, in every
worker. Failed sign-ins are recorded per user name and per client address; past the limit in
the window, :func:`sign_in` answers "too many requests" without checking the password, and
every failure (and every refusal) lands in the audit log.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, ForeignKey, Integer, String, bindparam, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from vigil.errors import AuthenticationError, TooManyRequestsError
from vigil.workspace import audit
from vigil.workspace.database import Base, Database, UTCDateTime, utcnow
from vigil.workspace.users import User, check_password, hash_token, normalise_name


class UserSession(Base):
    """One signed-in browser: the hash of its cookie, whose it is and until when."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str] = mapped_column(String(64), default="")


class LoginFailure(Base):
    """A failed sign-in, kept for the throttling window (the audit log keeps it for good)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)


@dataclass(frozen=True)
class SignInPolicy:
    """How long sessions last and how many failures are tolerated, per name and address."""

    session_hours: float = 12.0
    max_failures: int = 5
    max_failures_per_address: int = 20
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Any) -> SignInPolicy:
        """The policy configured in :class:`vigil.settings.Settings`."""
        return cls(
            session_hours=settings.session_hours,
            max_failures=settings.login_max_failures,
            max_failures_per_address=settings.login_max_failures_per_address,
            window=timedelta(seconds=settings.login_window_seconds),
        )


@dataclass(frozen=True)
class SignedIn:
    """A new session: the cookie value (shown once) and whether a password change is due."""

    token: str
    user_id: int
    must_change_password: bool


def sign_in(db: Database, name: str, password: str, address: str, policy: SignInPolicy) -> SignedIn:
    """Check a name and password and start a session, unless the name or the address has
    failed too often lately (then :class:`TooManyRequestsError`, password unchecked)."""
    name, address = normalise_name(name)[:120], address[:64]
    now = utcnow()
    with db.session(write=False) as session:
        wait = _throttled_for(session, name, address, policy, now)
        user = session.scalar(select(User).where(User.name == name)) if wait is None else None
        failure: AuthenticationError | None = None
        if wait is None:
            try:
                user = check_password(user, password)
            except AuthenticationError as err:
                failure = err
    with db.session() as session:
        if wait is not None:
            _audit_failure(session, name, address, "throttled")
        elif failure is not None or user is None:
            # Failures that left the window count no more: dropping them keeps the table as
            # small as the window, however long an attack goes on (the audit log keeps all).
            session.execute(delete(LoginFailure).where(LoginFailure.at <= now - policy.window))
            session.add(LoginFailure(at=now, name=name, address=address))
            _audit_failure(session, name, address, "wrong name or password")
        else:
            session.execute(delete(LoginFailure).where(LoginFailure.name == name))
            token = start_session(session, user, address, policy)
            audit.record(session, user, "login", "user", user.id, after={"address": address})
            return SignedIn(token, user.id, user.must_change_password)
    if wait is not None:
        raise TooManyRequestsError("too many failed sign-ins", retry_after=wait)
    raise failure or AuthenticationError("unknown user name or wrong password")


def _throttled_for(
    session: Session, name: str, address: str, policy: SignInPolicy, now: datetime
) -> int | None:
    """Seconds to wait if the name or the address is over its limit in the window."""
    since = now - policy.window
    waits = []
    for column, value, limit in (
        (LoginFailure.name, name, policy.max_failures),
        (LoginFailure.address, address, policy.max_failures_per_address),
    ):
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                column == value, LoginFailure.at > since
            )
        ).one()
        if count >= limit and oldest is not None:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
            waits.append(math.ceil((oldest + policy.window - now).total_seconds()))
    return max(waits) if waits else None


def _audit_failure(session: Session, name: str, address: str, reason: str) -> None:
    user_id = session.scalar(select(User.id).where(User.name == name))
    audit.record(
        session,
        "anonymous",
        "login_failed",
        "user",
        user_id,
        after={"name": name, "address": address, "reason": reason},
    )


def start_session(session: Session, user: User, address: str, policy: SignInPolicy) -> str:
    """A new session for ``user``; returns the cookie value (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(  # the user's sessions over for a day are of no further use
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.expires_at <= now - timedelta(days=1)
        )
    )
    session.add(
        UserSession(
            token_hash=hash_token(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(hours=policy.session_hours),
            address=address[:64],
        )
    )
    session.flush()
    return token


def end_session(session: Session, token: str) -> bool:
    """End the session of this cookie value; whether one was live."""
    row = session.scalar(select(UserSession).where(UserSession.token_hash == hash_token(token)))
    if row is None or row.ended_at is not None:
        return False
    row.ended_at = utcnow()
    audit.record(session, session.get_one(User, row.user_id), "logout", "user", row.user_id)
    return True


def end_all_sessions(session: Session, actor: object, user_id: int) -> int:
    """End every live session of a user; returns how many were ended."""
    rows = list(
        session.scalars(
            select(UserSession).where(
                UserSession.user_id == user_id, UserSession.ended_at.is_(None)
            )
        )
    )
    for row in rows:
        row.ended_at = utcnow()
    if rows:
        audit.record(session, actor, "end_sessions", "user", user_id, after={"ended": len(rows)})
    return len(rows)


#: The session check, built once (as the token check): one indexed query per request.
_SESSION_OWNER = (
    select(User.id, User.name, User.role, User.clearance, User.must_change_password)
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        UserSession.token_hash == bindparam("token_hash"),
        UserSession.ended_at.is_(None),
        UserSession.expires_at > bindparam("now", type_=UTCDateTime),
        User.active.is_(True),
    )
)


def session_owner(connection: Connection, token: str) -> dict[str, Any] | None:
    """``id``, ``name``, ``role``, ``clearance`` and ``must_change_password`` of the user of a
    live session, or None for an unknown, ended or expired one."""
    row = connection.execute(
        _SESSION_OWNER, {"token_hash": hash_token(token), "now": utcnow()}
    ).first()
    return None if row is None else dict(row._mapping)
