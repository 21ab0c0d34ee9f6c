"""Users, their passwords (argon2) and personal API tokens (only hashes stored).

User names are NFKC-normalised and may not hold control or format characters, so two names
that look alike on screen are the same name. An administrator grants at most the clearance
they hold, never raises their own, and never sets the password of (or issues a token for)
someone cleared above them; only another administrator, or the command line, can.
API tokens expire and can be revoked one by one.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, Connection, ForeignKey, Integer, String, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from vigil.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UsageError,
)
from vigil.workspace import audit
from vigil.workspace.access import Level, Role, can_see, parse_level, parse_role
from vigil.workspace.database import Base, UTCDateTime, utcnow

TOKEN_PREFIX = "vgl_"
_hasher = PasswordHasher()
#: A hash to verify against when the user does not exist, so timing does not reveal names.
_DUMMY_HASH = _hasher.hash("not-a-password")


class User(Base):
    """Someone who signs in: a role bounds what they do, a clearance what they see."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(20), default=Role.viewer.value)
    clearance: Mapped[str] = mapped_column(String(20), default=Level.public.value)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")


class ApiToken(Base):
    """A personal API token; only its SHA-256 is kept, the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")


def hash_token(token: str) -> str:
    """The stored form of an API token (tokens are random, so a fast hash suffices)."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    if len(password) < 8:
        raise UsageError("a password needs at least 8 characters")
    return _hasher.hash(password)


def normalise_name(name: str) -> str:
    """The canonical form of a user name: NFKC, surrounding spaces stripped.

    Full-width, ligature and other compatibility forms fold to their plain letters, so
    "ａｄｍｉｎ" signs in (and is refused as a new name) as "admin".
    """
    return unicodedata.normalize("NFKC", name).strip()


def check_name(name: str) -> str:
    """A user name, normalised; refused if empty, too long, or holding spaces, control or
    format characters (NUL, zero-width joiners, right-to-left overrides)."""
    name = normalise_name(name)
    if not name or len(name) > 120:
        raise UsageError(f"user name {name!r}: use 1-120 characters")
    for char in name:
        category = unicodedata.category(char)
        if char.isspace() or category[0] in "CZ":
            raise UsageError(
                f"user name {name!r}: character U+{ord(char):04X} ({category}) is not allowed; "
                "use visible characters without spaces"
            )
    return name


def add_user(
    session: Session,
    actor: object,
    name: str,
    *,
    role: str = "viewer",
    clearance: str = "public",
    password: str | None = None,
    must_change_password: bool = False,
) -> User:
    """Create a user; the name must be new and the clearance no higher than the actor's."""
    name = check_name(name)
    _may_grant(actor, parse_level(clearance).value)
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise ConflictError(f"user {name!r} already exists: pick another name")
    user = User(
        name=name,
        role=parse_role(role).value,
        clearance=parse_level(clearance).value,
        password_hash=hash_password(password) if password is not None else None,
        active=True,
        created_at=utcnow(),
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", "user", user.id, after=audit.snapshot(user))
    return user


def get_user(session: Session, name: str) -> User:
    """The user called ``name`` (compared in normalised form)."""
    user = session.scalar(select(User).where(User.name == normalise_name(name)))
    if user is None:
        raise NotFoundError(f"no user named {name!r}: see `vigil users list`")
    return user


def get_user_by_id(session: Session, user_id: int) -> User:
    """The user with id ``user_id``."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"no user with id {user_id}")
    return user


def list_users(session: Session) -> list[User]:
    """Every user, by name."""
    return list(session.scalars(select(User).order_by(User.name)))


def _is_person(actor: object) -> bool:
    """Whether ``actor`` is a signed-in user (not the command line or a scheduled rule)."""
    return getattr(actor, "id", None) is not None


def _may_grant(actor: object, clearance: str) -> None:
    """Refuse to grant a clearance above the acting administrator's own."""
    if _is_person(actor) and not can_see(actor, clearance):  # type: ignore[arg-type]
        raise PermissionDeniedError(
            f"granting clearance {clearance} needs that clearance yourself; "
            f"yours is {getattr(actor, 'clearance', '?')}"
        )


def _may_manage(actor: object, user: User, clearance: str | None) -> None:
    """The rules of who may change whom (see the module docstring)."""
    if not _is_person(actor):
        return
    raised = clearance is not None and Level(clearance).rank > Level(user.clearance).rank
    if raised and getattr(actor, "id", None) == user.id:
        raise PermissionDeniedError(
            "you cannot raise your own clearance: another administrator must do it"
        )
    if clearance is not None:
        _may_grant(actor, clearance)
    if not can_see(actor, user.clearance):  # type: ignore[arg-type]
        raise PermissionDeniedError(
            f"user {user.name!r} is cleared above you ({user.clearance}): "
            "an administrator with that clearance must make this change"
        )


def check_may_manage(actor: object, user: User) -> None:
    """Refuse an administrator acting on a user cleared above them."""
    _may_manage(actor, user, None)


def update_user(
    session: Session,
    actor: object,
    user: User,
    *,
    role: str | None = None,
    clearance: str | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> User:
    """Change a user's role, clearance, activity or password, with an audit entry.

    A new password or disabling ends the user's web sessions at once.
    """
    level = parse_level(clearance).value if clearance is not None else None
    _may_manage(actor, user, level)
    before = audit.snapshot(user)
    if role is not None:
        user.role = parse_role(role).value
    if level is not None:
        user.clearance = level
    if active is not None:
        user.active = active
    if password is not None:
        user.password_hash = hash_password(password)
    session.flush()
    audit.record(
        session, actor, "update", "user", user.id, before=before, after=audit.snapshot(user)
    )
    if password is not None or active is False:
        from vigil.workspace.sessions import end_all_sessions

        end_all_sessions(session, actor, user.id)
    return user


def record_refusal(session: Session, actor: object, user_id: int, reason: str) -> None:
    """Audit a refused change to a user (in its own transaction, since the change failed)."""
    audit.record(session, actor, "refused", "user", user_id, after={"reason": reason[:500]})


def disable_user(session: Session, actor: object, name: str) -> User:
    """Disable a user: their password, sessions and tokens stop working at once."""
    return update_user(session, actor, get_user(session, name), active=False)


def change_own_password(session: Session, user: User, current: str, new: str) -> User:
    """A user's own password change: the current password is checked first, the new one must
    differ, any forced change is cleared and every session of the user ends."""
    check_password(user, current)
    if current == new:
        raise UsageError("the new password must differ from the current one")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    session.flush()
    audit.record(session, user, "password", "user", user.id)
    from vigil.workspace.sessions import end_all_sessions

    end_all_sessions(session, user, user.id)
    return user


def issue_token(
    session: Session,
    actor: object,
    user: User,
    label: str = "",
    *,
    days: int = 90,
) -> str:
    """Create a new API token for ``user``, valid ``days`` days, and return it (shown once)."""
    if not 1 <= days <= 3650:
        raise UsageError(f"a token lives 1-3650 days, got {days}")
    _may_manage(actor, user, None)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + timedelta(days=days)
    row = ApiToken(
        user_id=user.id,
        token_hash=hash_token(token),
        label=label,
        created_at=now,
        expires_at=expires,
    )
    session.add(row)
    session.flush()
    after = {"user": user.name, "label": label, "expires_at": expires.isoformat()}
    audit.record(session, actor, "create", "api_token", row.id, after=after)
    return token


def token_row(session: Session, token: str) -> ApiToken:
    """The stored row of a token just issued (found by its hash)."""
    return session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).one()


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """Every token of ``user`` (hashes only), oldest first."""
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    return list(session.scalars(query))


def revoke_token(session: Session, actor: Any, token_id: int) -> ApiToken:
    """Revoke one token: administrators any (within their clearance), others their own."""
    row = session.get(ApiToken, token_id)
    if row is None or (
        _is_person(actor) and actor.role != Role.admin.value and row.user_id != actor.id
    ):
        raise NotFoundError(f"no API token {token_id} of yours: see `vigil users tokens NAME`")
    _may_manage(actor, session.get_one(User, row.user_id), None)
    if not row.revoked:
        row.revoked, row.revoked_at = True, utcnow()
        session.flush()
        audit.record(session, actor, "revoke", "api_token", row.id, after={"label": row.label})
    return row


def user_for_token(session: Session, token: str) -> User:
    """The active user owning a live ``token``, or an authentication error."""
    user = session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked.is_(False),
            ApiToken.expires_at > utcnow(),
            User.active.is_(True),
        )
    )
    if user is None:
        raise AuthenticationError("the API token is unknown, expired, revoked or its user disabled")
    return user


#: The token check, built once: re-running one statement object spares SQLAlchemy rebuilding
#: and re-keying it on every API request.
_TOKEN_OWNER = (
    select(User.id, User.name, User.role, User.clearance)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked.is_(False),
        ApiToken.expires_at > bindparam("now", type_=UTCDateTime),
        User.active.is_(True),
    )
)


def token_owner(connection: Connection, token: str) -> dict[str, Any]:
    """``id``, ``name``, ``role`` and ``clearance`` of the active user owning ``token``.

    The same check as :func:`user_for_token` as one indexed Core query, cheap enough to run on
    every API request, so a revoked or expired token or a disabled, demoted user is refused.
    """
    row = connection.execute(
        _TOKEN_OWNER, {"token_hash": hash_token(token), "now": utcnow()}
    ).first()
    if row is None:
        raise AuthenticationError("the API token is unknown, expired, revoked or its user disabled")
    return dict(row._mapping)


def check_password(user: User | None, password: str) -> User:
    """``user`` if it is active and ``password`` is its password, else an authentication error.

    A missing user is checked against a dummy hash, so timing does not reveal names.
    """
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None or not user.active or not user.password_hash:
        raise AuthenticationError("unknown user name or wrong password")
    return user


def authenticate(session: Session, name: str, password: str) -> User:
    """The active user with this name and password, or an authentication error."""
    user = session.scalar(select(User).where(User.name == normalise_name(name)))
    return check_password(user, password)


SYSTEM = "system"


class SystemActor:
    """The actor recorded for changes made from the command line or by scheduled rules."""

    id: int | None = None
    name: str = SYSTEM
    role: str = Role.admin.value
    clearance: str = Level.confidential.value


system_actor = SystemActor()
