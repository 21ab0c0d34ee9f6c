"""How current every number is: per-source freshness, staleness, and the one line every page shows.

A source is *stale* when it has not synced successfully within twice its interval (or never has).
The line shown on pages, briefs and API responses reads "events through DATE, last synced AGO
from SOURCE", taken from the event source whose data reach furthest; with no live source it says
the events are the bundled or hand-ingested ones.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from vigil.events.store import EventStore
from vigil.sources import registry
from vigil.sources.registry import Kind, SourceSpec, SourceState


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


def source_rows(store: EventStore, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every source's definition, state, freshness line and ``stale`` flag."""
    now = now or utcnow()
    states = registry.states(store)
    rows = []
    for spec in registry.specs(store):
        state = states.get(spec.name)
        rows.append(
            {
                **spec.public(),
                "status": state.status if state else None,
                "error": state.error if state else None,
                "through": state.through.isoformat() if state and state.through else None,
                "last_attempt": state.last_attempt if state else None,
                "last_synced": state.last_success if state else None,
                "stale": is_stale(spec, state, now),
                "freshness": describe(spec, state, now),
            }
        )
    return rows


def freshness_line(store: EventStore, now: datetime | None = None) -> str:
    """The line every page and brief carries about the events behind its numbers."""
    now = now or utcnow()
    if not store.path.exists():
        return "no events yet: add a source (`vigil sources add`) or ingest files"
    states = registry.states(store)
    synced = [
        (states[spec.name].through, spec)
        for spec in registry.specs(store)
        if spec.kind is not Kind.FEED and spec.name in states and states[spec.name].through
    ]
    if synced:
        _, spec = max(synced, key=lambda pair: pair[0] or date.min)
        return describe(spec, states[spec.name], now)
    last = store.query("SELECT max(date_start) AS d FROM events")["d"].iloc[0]
    if last is None or str(last) in ("NaT", "None"):
        return "no events yet: add a source (`vigil sources add`) or ingest files"
    return f"events through {str(last)[:10]}, from files ingested by hand (no live source synced)"
