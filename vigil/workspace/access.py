"""Access control: ordered roles, ordered confidentiality levels, and the checks built on them.

Roles bound what a user may *do* (viewer < analyst < reviewer < admin); clearance bounds what a
user may *see* (public < restricted < confidential). Every query for confidential material goes
through :func:`visible`, so lists, search, exports and counts apply the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import ColumnElement

from vigil.choices import parse_choice
from vigil.errors import PermissionDeniedError


class Role(StrEnum):
    """What a user may do; each role includes everything the lower ones may."""

    viewer = "viewer"
    analyst = "analyst"
    reviewer = "reviewer"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class Level(StrEnum):
    """Confidentiality of a piece of information, and clearance of a user."""

    public = "public"
    restricted = "restricted"
    confidential = "confidential"

    @property
    def rank(self) -> int:
        return list(Level).index(self)

    def levels_up_to(self) -> list[str]:
        """Every level a holder of this clearance may see."""
        return [level.value for level in Level if level.rank <= self.rank]


class Principal(Protocol):
    """Anything with a role and a clearance (a user)."""

    @property
    def role(self) -> str: ...

    @property
    def clearance(self) -> str: ...


@dataclass(frozen=True)
class Clearance:
    """A bare clearance: builds a query once for every user who holds it (see :func:`visible`)."""

    clearance: str
    role: str = Role.viewer.value


def parse_role(value: str) -> Role:
    """The role named ``value``, or a usage error listing the valid ones."""
    return parse_choice(Role, value, "role")


def parse_level(value: str) -> Level:
    """The confidentiality level named ``value``, or a usage error listing the valid ones."""
    return parse_choice(Level, value, "level")


def has_role(user: Principal, needed: Role) -> bool:
    """Whether ``user``'s role is ``needed`` or above."""
    return Role(user.role).rank >= needed.rank


def require_role(user: Principal, needed: Role, action: str) -> None:
    """Refuse ``action`` unless ``user`` holds ``needed`` or a higher role."""
    if not has_role(user, needed):
        raise PermissionDeniedError(
            f"{action} needs the role {needed.value} or higher; you are {user.role}"
        )


def can_see(user: Principal, level: str) -> bool:
    """Whether ``user``'s clearance covers information at ``level``."""
    return Level(level).rank <= Level(user.clearance).rank


def require_clearance(user: Principal, level: str, action: str) -> None:
    """Refuse to create or raise information above the user's own clearance."""
    if not can_see(user, level):
        raise PermissionDeniedError(
            f"{action} at level {level} needs clearance {level}; yours is {user.clearance}"
        )


def visible(user: Principal, column: Any) -> ColumnElement[bool]:
    """SQL condition keeping rows whose confidentiality ``column`` is within the clearance."""
    return column.in_(Level(user.clearance).levels_up_to())
