"""A small time-limited cache of rendered pages for anonymous visitors.

Public pages depend on the risk snapshot (fixed for the life of the process), the event store
(part of the key through its version) and public workspace records (alerts, assessments), which
may therefore show up to ``ttl`` seconds late for anonymous visitors. Signed-in users always
get a fresh render.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

MAX_ENTRIES = 2048


@dataclass
class PageCache:
    """Rendered HTML by key, each kept for ``ttl`` seconds."""

    ttl: float = 15.0
    clock: Callable[[], float] = time.monotonic
    _entries: dict[Hashable, tuple[float, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: Hashable) -> str | None:
        """The page cached under ``key``, if it is still fresh."""
        with self._lock:
            found = self._entries.get(key)
        return found[1] if found is not None and found[0] > self.clock() else None

    def put(self, key: Hashable, html: str) -> None:
        """Keep ``html`` under ``key`` for ``ttl`` seconds."""
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (self.clock() + self.ttl, html)

    def clear(self) -> None:
        """Forget every page (the data behind them changed)."""
        with self._lock:
            self._entries.clear()
