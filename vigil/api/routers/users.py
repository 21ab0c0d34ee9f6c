"""Users: who they are, their roles and clearance, and their API tokens (admin only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from vigil.api.errors import ERRORS
from vigil.api.security import Admin, Anyone, Db
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


class TokenOut(BaseModel):
    token: str
    user: str


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


@router.patch("/{user_id}", response_model=UserOut)
def update_user(user_id: UserId, body: UserPatch, caller: Admin, db: Db) -> UserOut:
    """Change a user's role, clearance, password or activity."""
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


@router.post("/{user_id}/tokens", response_model=TokenOut, status_code=201)
def new_token(user_id: UserId, body: TokenIn, caller: Admin, db: Db) -> TokenOut:
    """Issue an API token for a user (shown once)."""
    with db.session() as session:
        user = accounts.get_user_by_id(session, user_id)
        return TokenOut(
            token=accounts.issue_token(session, caller, user, body.label), user=user.name
        )
