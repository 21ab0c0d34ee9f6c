"""What is happening: recent events and escalation signals per country, from the event store.

Opening DuckDB costs more than rendering a page, so the whole picture is read at once and
kept until the store file changes (checked by its modification time).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import duckdb

from vigil.events.panels import build_panel
from vigil.events.signals import SIGNAL_SEVERITY, detect
from vigil.settings import Settings

log = logging.getLogger(__name__)
RECENT = 8
LATEST_SIGNALS = 5

RECENT_SQL = f"""
SELECT iso3, date_start, source, violence_type, actor1, actor2, admin1, fatalities_best
FROM (
    SELECT *, row_number() OVER (PARTITION BY iso3 ORDER BY date_start DESC, source_id) AS n
    FROM events WHERE iso3 IS NOT NULL
) WHERE n <= {RECENT} ORDER BY iso3, date_start DESC
"""


@dataclass
class Activity:
    """Recent events and signals by ISO3, and the store version they came from."""

    mtime: float = -1.0
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    signals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    gaps: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self, settings: Settings, *, wait: bool = True) -> None:
        """Re-read the store if it changed since the last read.

        With ``wait=False`` (page requests) the re-read runs in a background thread and the
        request is served from the previous picture.
        """
        from vigil.events.store import EventStore

        store = EventStore.from_settings(settings)
        try:
            mtime = store.path.stat().st_mtime
        except FileNotFoundError:
            return
        if mtime == self.mtime or not self.lock.acquire(blocking=wait):
            return
        if wait:
            self._load(store, mtime)
        else:
            threading.Thread(target=self._load, args=(store, mtime), daemon=True).start()

    def _load(self, store: Any, mtime: float) -> None:
        """Read events and signals (the caller holds the lock; it is released here)."""
        try:
            self.events = _recent(store)
            self.signals = _signals(store)
            self.gaps = _gaps(store)
            self.mtime = mtime
        except duckdb.Error as err:  # a writer holds the store: keep the previous picture
            log.warning("event store not readable now: %s", err)
        finally:
            self.lock.release()


def _recent(store: Any) -> dict[str, list[dict[str, Any]]]:
    with store.connect(read_only=True) as con:  # never blocks a concurrent ingest's writes
        frame = con.execute(RECENT_SQL).df()
    out: dict[str, list[dict[str, Any]]] = {}
    for row in frame.to_dict(orient="records"):
        out.setdefault(str(row.pop("iso3")), []).append(row)
    return out


def _signals(store: Any) -> dict[str, list[dict[str, Any]]]:
    """The latest escalation signals per country (country and admin1 units), newest first.

    The same detection as ``vigil.events.signals.latest_signals``, run once over every country
    rather than once per country.
    """
    rows: list[dict[str, Any]] = []
    for level in ("country", "admin1"):
        panel = build_panel(store, level)
        if not panel.empty:
            rows += [
                {str(k): v for k, v in r.items()} for r in detect(panel, level).to_dict("records")
            ]
    rows.sort(key=lambda r: (r["month"], SIGNAL_SEVERITY.get(str(r["severity"]), 0)), reverse=True)
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        kept = found.setdefault(str(row["iso3"]), [])
        if len(kept) < LATEST_SIGNALS:
            kept.append(_signal(row))
    return found


def _signal(row: dict[str, Any]) -> dict[str, Any]:
    admin1 = row.get("admin1")
    return {
        "month": row["month"].strftime("%Y-%m"),
        "signal": str(row["signal"]).replace("_", " "),
        "severity": str(row["severity"]),
        "where": None if admin1 is None or admin1 != admin1 else str(admin1),
        "value": row.get("value"),
        "baseline": row.get("baseline"),
    }


def _gaps(store: Any) -> dict[str, list[dict[str, Any]]]:
    """Reporting gaps in each source's latest month, by country (severest first)."""
    from vigil.events.gaps import reporting_gaps

    found: dict[str, list[dict[str, Any]]] = {}
    for gap in reporting_gaps(store, read_only=True):
        found.setdefault(gap.iso3, []).append({"severity": gap.severity, "text": gap.describe()})
    return found
