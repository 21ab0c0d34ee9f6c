"""Event statistics and early-warning signals from the event store (when it is installed)."""

from __future__ import annotations

import threading
from collections.abc import MutableMapping
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from vigil.api.errors import ERRORS
from vigil.api.pagination import Page, Paging
from vigil.errors import UsageError

router = APIRouter(tags=["events"], responses=ERRORS)
_lock = threading.Lock()


class EventStats(BaseModel):
    events: int
    by_source: dict[str, int]
    by_type: dict[str, int]
    quarantined: int


class SignalOut(BaseModel):
    country: str
    iso3: str
    admin1: str | None
    month: str
    signal: str
    severity: str
    value: float | None
    baseline: float | None
    probability: float | None
    events: list[str]


def event_store(request: Request) -> Any:
    """The event store of this application's data directory."""
    from vigil.events.store import EventStore

    return EventStore.from_settings(request.app.state.settings)


def signals_for(request: Request, month: str | None) -> list[dict[str, Any]]:
    """Signals of ``month`` (latest when None), computed once per store state and month.

    Only months within the stored events are computed (others answer 400), and entries of an
    older store state are dropped, so the cache stays as small as the data.
    """
    from vigil.events.signals import monitor

    store = event_store(request)
    stamp = store.path.stat().st_mtime if store.path.exists() else 0.0
    cache: MutableMapping[Any, Any] = request.app.state.forecast_cache
    key = ("signals", month, stamp)
    with _lock:
        if key not in cache:
            _check_month(store, month)
            for stale in [k for k in cache if k[0] == "signals" and k[2] != stamp]:
                del cache[stale]
            cache[key] = [s.as_dict() for s in monitor(store, month)]
        return list(cache[key])


def _check_month(store: Any, month: str | None) -> None:
    """Refuse a month outside the first and last month of the stored events."""
    if month is None:
        return
    span = store.month_range()
    if span is None or not span[0] <= month <= span[1]:
        held = f"{span[0]} to {span[1]}" if span else "no events"
        raise UsageError(f"month {month} is outside the stored events ({held})")


@router.get("/events/stats", response_model=EventStats)
def stats(request: Request) -> EventStats:
    """How many events the store holds, by source and type, and how many rows were quarantined."""
    return EventStats.model_validate(event_store(request).stats())


@router.get("/signals", response_model=Page[SignalOut])
def signals(
    request: Request,
    page: Paging,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = None,
    iso3: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None,
) -> Page[SignalOut]:
    """Escalation and forecast signals per country and admin1 for one month."""
    rows = signals_for(request, month)
    if iso3:
        rows = [r for r in rows if r["iso3"] == iso3.upper()]
    items = [SignalOut.model_validate(r) for r in rows[page.offset : page.offset + page.limit]]
    return Page(items=items, total=len(rows), limit=page.limit, offset=page.offset)
