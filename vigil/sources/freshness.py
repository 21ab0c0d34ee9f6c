"""How current every number is: per-source freshness, staleness, and the one line every page shows.

A source is *stale* when it has not synced successfully within twice its interval (or never has).
The line shown on pages, briefs and API responses reads "events through DATE, last synced AGO
from SOURCE", taken from the event source whose data reach furthest; with no live source it says
the events come from files ingested by hand. A :class:`LivePicture` is read from the store once
and renders these texts for any moment, so a cached picture never shows a frozen "ago".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb

from vigil.events.store import EventStore
from vigil.sources import registry
from vigil.sources.registry import Kind, SourceSpec, SourceState

NO_EVENTS = "no events yet: add a source (`vigil sources add`) or ingest files"


def utcnow() -> datetime:
    """Now in UTC, naive (as the store keeps times)."""
    return datetime.now(UTC).replace(tzinfo=None)


def ago(delta: timedelta) -> str:
    """A short human duration: '40 s ago', '12 min ago', '5 h ago', '3 d ago'."""
    seconds = max(0, int(delta.total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


def is_stale(spec: SourceSpec, state: SourceState | None, now: datetime) -> bool:
    """Not synced successfully within twice the source's interval."""
    if state is None or state.last_success is None:
        return True
    return now - state.last_success > 2 * spec.interval


def describe(spec: SourceSpec, state: SourceState | None, now: datetime) -> str:
    """'events through DATE, last synced AGO from NAME' for one source."""
    what = "reports" if spec.kind is Kind.FEED else "events"
    through = state.through.isoformat() if state and state.through else "(none yet)"
    if state is None or state.last_success is None:
        return f"{what} through {through}, never synced from {spec.name}"
    return f"{what} through {through}, last synced {ago(now - state.last_success)} from {spec.name}"


@dataclass(frozen=True, slots=True)
class LivePicture:
    """The registry's definitions and states, and the store's last event date, read at once."""

    specs: tuple[SourceSpec, ...] = ()
    states: dict[str, SourceState] = field(default_factory=dict)
    last_event: date | None = None
    has_store: bool = False

    def rows(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Every source's definition, state, freshness line and ``stale`` flag."""
        now = now or utcnow()
        return [_row(spec, self.states.get(spec.name), now) for spec in self.specs]

    def line(self, now: datetime | None = None) -> str:
        """The freshness line for the events behind every number."""
        now = now or utcnow()
        synced = [
            spec
            for spec in self.specs
            if spec.kind is not Kind.FEED and getattr(self.states.get(spec.name), "through", None)
        ]
        if synced:
            best = max(synced, key=lambda spec: self.states[spec.name].through or date.min)
            return describe(best, self.states[best.name], now)
        if self.last_event is None:
            return NO_EVENTS
        return f"events through {self.last_event}, from files ingested by hand (no source synced)"

    def stale(self, now: datetime | None = None) -> list[str]:
        """Names of the stale sources."""
        now = now or utcnow()
        return [s.name for s in self.specs if is_stale(s, self.states.get(s.name), now)]


def _row(spec: SourceSpec, state: SourceState | None, now: datetime) -> dict[str, Any]:
    return {
        **spec.public(),
        "status": state.status if state else None,
        "error": state.error if state else None,
        "through": state.through.isoformat() if state and state.through else None,
        "last_attempt": state.last_attempt if state else None,
        "last_synced": state.last_success if state else None,
        "stale": is_stale(spec, state, now),
        "freshness": describe(spec, state, now),
    }


def read_picture(store: EventStore, *, read_only: bool = False) -> LivePicture:
    """Read the live picture from the store (read-only when a web page asks)."""
    if not store.path.exists():
        return LivePicture()
    specs = tuple(registry.specs(store, read_only=read_only))
    states = registry.states(store, read_only=read_only)
    try:
        with store.connect(read_only=read_only) as con:
            row = con.execute("SELECT max(date_start) FROM events").fetchone()
    except duckdb.CatalogException:
        row = None
    last = row[0] if row and row[0] is not None else None
    return LivePicture(specs, states, last, True)


def source_rows(store: EventStore, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every source with its state and freshness (``vigil sources list``, the API)."""
    return read_picture(store).rows(now)


def freshness_line(store: EventStore, now: datetime | None = None) -> str:
    """The freshness line of the store's events."""
    return read_picture(store).line(now)
