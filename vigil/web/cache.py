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

from cachetools import TTLCache

MAX_ENTRIES = 2048


class PageCache:
    """Rendered HTML by key, each kept for ``ttl`` seconds (the least recently used goes first
    when ``MAX_ENTRIES`` pages are kept)."""

    def __init__(self, ttl: float = 15.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._entries: TTLCache[Hashable, str] = TTLCache(MAX_ENTRIES, ttl, timer=clock)
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        """The page cached under ``key``, if it is still fresh."""
        with self._lock:
            return self._entries.get(key)

    def put(self, key: Hashable, html: str) -> None:
        """Keep ``html`` under ``key`` for ``ttl`` seconds."""
        with self._lock:
            self._entries[key] = html

    def clear(self) -> None:
        """Forget every page (the data behind them changed)."""
        with self._lock:
            self._entries.clear()
