"""Users: who they are, their roles and clearance, and their API tokens (admin only), and
each user's own password change and token revocation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from vigil.api.errors import ERRORS
from vigil.api.security import SESSION_COOKIE, Admin, Anyone, Db, SignedIn
from vigil.errors import NotFoundError, PermissionDeniedError
from vigil.workspace import users as accounts
from vigil.workspace.access import Level, Role

router = APIRouter(prefix="/users", tags=["users"], responses=ERRORS)


class UserOut(BaseModel):
    id: int
    name: str
    role: Role
    clearance: Level
    active: bool
    created_at: datetime


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=120, pattern=r"^\S+$")
    role: Role = Role.viewer
    clearance: Level = Level.public
    password: str | None = Field(default=None, min_length=8, max_length=1000)


class UserPatch(BaseModel):
    role: Role | None = None
    clearance: Level | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=1000)


class TokenIn(BaseModel):
    label: str = Field(default="", max_length=120)
    days: int | None = Field(default=None, ge=1, le=3650, description="Default: settings.")


class TokenOut(BaseModel):
    token: str
    user: str
    id: int
    expires_at: datetime | None


class TokenInfo(BaseModel):
    id: int
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked: bool


class PasswordIn(BaseModel):
    current: str = Field(max_length=1000)
    new: str = Field(min_length=8, max_length=1000)


def _out(user: accounts.User) -> UserOut:
    return UserOut(
        id=user.id,
        name=user.name,
        role=Role(user.role),
        clearance=Level(user.clearance),
        active=user.active,
        created_at=user.created_at,
    )


@router.get("/me", response_model=UserOut)
def me(caller: Anyone, db: Db) -> UserOut:
    """The signed-in user."""
    with db.session(write=False) as session:
        return _out(accounts.get_user_by_id(session, caller.id))


@router.get("", response_model=list[UserOut])
def list_users(caller: Admin, db: Db) -> list[UserOut]:
    """Every user."""
    with db.session(write=False) as session:
        return [_out(u) for u in accounts.list_users(session)]


@router.post("", response_model=UserOut, status_code=201)
def add_user(body: UserIn, caller: Admin, db: Db) -> UserOut:
    """Create a user."""
    with db.session() as session:
        return _out(
            accounts.add_user(
                session,
                caller,
                body.name,
                role=body.role.value,
                clearance=body.clearance.value,
                password=body.password,
            )
        )


UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/me/password", status_code=204)
def change_password(
    body: PasswordIn, caller: SignedIn, db: Db, request: Request, response: Response
) -> None:
    """Change your own password: every session of yours ends, this browser signs in anew."""
    from vigil.api.routers.auth import client_address, set_session_cookie
    from vigil.workspace.sessions import SignInPolicy, start_session

    policy = SignInPolicy.from_settings(request.app.state.settings)
    with db.session() as session:
        user = accounts.change_own_password(
            session, accounts.get_user_by_id(session, caller.id), body.current, body.new
        )
        renewed = request.cookies.get(SESSION_COOKIE) is not None
        token = start_session(session, user, client_address(request), policy) if renewed else ""
    if token:
        set_session_cookie(request, response, token, policy)


@router.patch("/{user_id}", response_model=UserOut)
def update_user(user_id: UserId, body: UserPatch, caller: Admin, db: Db) -> UserOut:
    """Change a user's role, clearance, password or activity.

    Nobody raises their own clearance, or grants more than they hold; a refusal is audited.
    """
    try:
        with db.session() as session:
            user = accounts.get_user_by_id(session, user_id)
            return _out(
                accounts.update_user(
                    session,
                    caller,
                    user,
                    role=body.role.value if body.role else None,
                    clearance=body.clearance.value if body.clearance else None,
                    active=body.active,
                    password=body.password,
                )
            )
    except PermissionDeniedError as err:
        with db.session() as session:
            accounts.record_refusal(session, caller, user_id, str(err))
        raise


@router.post("/{user_id}/tokens", response_model=TokenOut, status_code=201)
def new_token(user_id: UserId, body: TokenIn, caller: Admin, db: Db, request: Request) -> TokenOut:
    """Issue an API token for a user (shown once), valid ``days`` days."""
    days = body.days or request.app.state.settings.token_days
    with db.session() as session:
        user = accounts.get_user_by_id(session, user_id)
        token = accounts.issue_token(session, caller, user, body.label, days=days)
        row = accounts.token_row(session, token)
        return TokenOut(token=token, user=user.name, id=row.id, expires_at=row.expires_at)


@router.delete("/{user_id}/sessions", status_code=204)
def end_sessions(user_id: UserId, caller: Admin, db: Db) -> None:
    """End every web session of a user (admin, within your clearance); audited."""
    from vigil.workspace.sessions import end_all_sessions

    with db.session() as session:
        user = accounts.get_user_by_id(session, user_id)
        accounts.check_may_manage(caller, user)
        end_all_sessions(session, caller, user.id)


@router.get("/{user_id}/tokens", response_model=list[TokenInfo])
def list_tokens(user_id: UserId, caller: Anyone, db: Db) -> list[TokenInfo]:
    """A user's API tokens (never the tokens themselves): yours, or anyone's for an admin."""
    from vigil.workspace.access import Role, has_role

    if user_id != caller.id and not has_role(caller, Role.admin):
        raise PermissionDeniedError("only an administrator lists another user's tokens")
    with db.session(write=False) as session:
        rows = accounts.list_tokens(session, accounts.get_user_by_id(session, user_id))
        return [TokenInfo.model_validate(t, from_attributes=True) for t in rows]


@router.delete("/{user_id}/tokens/{token_id}", status_code=204)
def revoke_token(user_id: UserId, token_id: UserId, caller: Anyone, db: Db) -> None:
    """Revoke one API token: your own, or (for an admin) anyone's within your clearance."""
    with db.session() as session:
        row = accounts.revoke_token(session, caller, token_id)
        if row.user_id != user_id:
            raise NotFoundError(f"user {user_id} has no API token {token_id}")
