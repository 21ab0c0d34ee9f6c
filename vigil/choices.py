"""Reading a user's choice among the values of an enumeration, with one kind of error."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from vigil.errors import UsageError

E = TypeVar("E", bound=StrEnum)


def parse_choice(kind: type[E], value: str, name: str) -> E:
    """The member of ``kind`` whose value is ``value``, or a usage error listing the valid ones."""
    try:
        return kind(value)
    except ValueError as err:
        raise UsageError(f"unknown {name} {value!r}: use one of {', '.join(kind)}") from err
