"""How current every number is: per-source freshness, staleness, and the one line every page shows.

A source is *stale* when it has not synced successfully within twice its interval (or never has).
The line shown on pages, briefs and API responses reads "events through DATE, last synced AGO
from SOURCE", taken from the event source whose data reach furthest; with no live source it says
the events come from files ingested by hand. A :class:`LivePicture` is read from the store once
and renders these texts for any moment, so a cached picture never shows a frozen "ago".

Every sync (and every change to the registry) also writes the picture to ``sources.json`` in the
data directory, atomically. Pages and API responses read that small file, never DuckDB: a web
server holding no connection to the store never blocks a sync, and a sync never fails a page.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from vigil.events.store import EventStore
from vigil.sources import registry
from vigil.sources.registry import Kind, SourceSpec, SourceState

NO_LIVE = "no live source configured: events are the bundled or hand-ingested files"
SIDECAR = "sources.json"


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
        if self.specs:
            return f"no events synced yet from the {len(self.specs)} live source(s)"
        if self.last_event is not None:
            return f"events through {self.last_event}, from files ingested by hand (no live source)"
        return NO_LIVE

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


def sidecar_path(store: EventStore) -> Path:
    """Where the picture of ``store`` is kept for readers that must not open DuckDB."""
    return store.path.parent / SIDECAR


def write_sidecar(store: EventStore) -> None:
    """Write the store's live picture to ``sources.json`` (atomically: temp file, then rename)."""
    picture = read_picture(store)
    payload = {
        "specs": [{**s.public(), "kind": s.kind.value} for s in picture.specs],
        "states": {
            name: {k: getattr(state, k) for k in SourceState.__dataclass_fields__}
            for name, state in picture.states.items()
        },
        "last_event": picture.last_event,
    }
    target = sidecar_path(store)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".sources-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(payload, out, default=str)
    os.replace(temp, target)


def load_sidecar(path: Path) -> LivePicture:
    """The picture written by :func:`write_sidecar` (an empty one when there is none)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return LivePicture()
    specs = tuple(registry.make_spec(**_spec_args(s)) for s in data["specs"])
    states = {name: _state(name, s) for name, s in data["states"].items()}
    last = data.get("last_event")
    return LivePicture(specs, states, date.fromisoformat(last[:10]) if last else None, True)


def _spec_args(spec: dict[str, Any]) -> dict[str, Any]:
    args = {k: v for k, v in spec.items() if k not in ("name", "kind")}
    args["countries"] = args.get("countries") or ()
    return {"name": spec["name"], "kind": spec["kind"], **args}


def _state(name: str, raw: dict[str, Any]) -> SourceState:
    def when(key: str) -> datetime | None:
        return datetime.fromisoformat(raw[key]) if raw.get(key) else None

    through = date.fromisoformat(raw["through"]) if raw.get("through") else None
    return SourceState(
        name,
        raw.get("watermark") or {},
        through,
        when("last_attempt"),
        when("last_success"),
        raw.get("status"),
        raw.get("error"),
    )


@dataclass
class SidecarReader:
    """Reads ``sources.json`` again only when its modification time changes (thread-safe)."""

    path: Path
    picture: LivePicture = field(default_factory=LivePicture)
    mtime: float = -1.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self) -> LivePicture:
        """The current picture."""
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return LivePicture()
        with self.lock:
            if mtime != self.mtime:
                self.picture, self.mtime = load_sidecar(self.path), mtime
            return self.picture
