"""Pagination parameters and the page envelope every list endpoint returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

T = TypeVar("T")
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, the total matching, and where the page starts."""

    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class Window:
    """Which slice of a list the caller asked for."""

    limit: int
    offset: int


async def window(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0,
) -> Window:
    """The ``limit``/``offset`` query parameters."""
    return Window(limit=limit, offset=offset)


Paging = Annotated[Window, Depends(window)]
