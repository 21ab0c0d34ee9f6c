"""Users, their passwords (argon2) and personal API tokens (only hashes stored)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, Connection, ForeignKey, Integer, String, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from vigil.errors import AuthenticationError, ConflictError, NotFoundError, UsageError
from vigil.workspace import audit
from vigil.workspace.access import Level, Role, parse_level, parse_role
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

    user: Mapped[User] = relationship(back_populates="tokens")


def hash_token(token: str) -> str:
    """The stored form of an API token (tokens are random, so a fast hash suffices)."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    if len(password) < 8:
        raise UsageError("a password needs at least 8 characters")
    return _hasher.hash(password)


def check_name(name: str) -> str:
    """A user name, stripped; refused if empty, too long or containing spaces."""
    name = name.strip()
    if not name or len(name) > 120 or any(c.isspace() for c in name):
        raise UsageError(f"user name {name!r}: use 1-120 characters without spaces")
    return name


def add_user(
    session: Session,
    actor: object,
    name: str,
    *,
    role: str = "viewer",
    clearance: str = "public",
    password: str | None = None,
) -> User:
    """Create a user; the name must be new."""
    name = check_name(name)
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise ConflictError(f"user {name!r} already exists: pick another name")
    user = User(
        name=name,
        role=parse_role(role).value,
        clearance=parse_level(clearance).value,
        password_hash=hash_password(password) if password is not None else None,
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", "user", user.id, after=audit.snapshot(user))
    return user


def get_user(session: Session, name: str) -> User:
    """The user called ``name``."""
    user = session.scalar(select(User).where(User.name == name))
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
    """Change a user's role, clearance, activity or password, with an audit entry."""
    before = audit.snapshot(user)
    if role is not None:
        user.role = parse_role(role).value
    if clearance is not None:
        user.clearance = parse_level(clearance).value
    if active is not None:
        user.active = active
    if password is not None:
        user.password_hash = hash_password(password)
    session.flush()
    audit.record(
        session, actor, "update", "user", user.id, before=before, after=audit.snapshot(user)
    )
    return user


def disable_user(session: Session, actor: object, name: str) -> User:
    """Disable a user: their password and tokens stop working at once."""
    return update_user(session, actor, get_user(session, name), active=False)


def issue_token(session: Session, actor: object, user: User, label: str = "") -> str:
    """Create a new API token for ``user`` and return it (the only time it is visible)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=hash_token(token), label=label, created_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "create", "api_token", row.id, after={"user": user.name, "label": label}
    )
    return token


def user_for_token(session: Session, token: str) -> User:
    """The active user owning ``token``, or an authentication error."""
    user = session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked.is_(False),
            User.active.is_(True),
        )
    )
    if user is None:
        raise AuthenticationError("the API token is unknown, revoked or its user disabled")
    return user


#: The token check, built once: re-running one statement object spares SQLAlchemy rebuilding
#: and re-keying it on every API request.
_TOKEN_OWNER = (
    select(User.id, User.name, User.role, User.clearance)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked.is_(False),
        User.active.is_(True),
    )
)


def token_owner(connection: Connection, token: str) -> dict[str, Any]:
    """``id``, ``name``, ``role`` and ``clearance`` of the active user owning ``token``.

    The same check as :func:`user_for_token` as one indexed Core query, cheap enough to run on
    every API request, so a revoked token or a disabled, demoted user is refused at once.
    """
    row = connection.execute(_TOKEN_OWNER, {"token_hash": hash_token(token)}).first()
    if row is None:
        raise AuthenticationError("the API token is unknown, revoked or its user disabled")
    return dict(row._mapping)


def authenticate(session: Session, name: str, password: str) -> User:
    """The active user with this name and password, or an authentication error."""
    user = session.scalar(select(User).where(User.name == name))
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None or not user.active or not user.password_hash:
        raise AuthenticationError("unknown user name or wrong password")
    return user


SYSTEM = "system"


class SystemActor:
    """The actor recorded for changes made from the command line or by scheduled rules."""

    id: int | None = None
    name: str = SYSTEM
    role: str = Role.admin.value
    clearance: str = Level.confidential.value


system_actor = SystemActor()
