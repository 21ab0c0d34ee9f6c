"""Background syncing inside ``vigil serve``: every few seconds, run the sources that are due.

One daemon thread per server process checks every ``sync_check_every`` seconds. Each round takes
the data directory's sync lock without waiting: when another process (another worker, or a
``vigil sync`` in a shell) holds it, the round is skipped — so one store is never synced by two
processes at once, and within a process one round (hence one sync per source) runs at a time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb

from vigil.errors import ConflictError, VigilError
from vigil.settings import Settings
from vigil.sources.sync import OnArrival, SyncResult, sync

if TYPE_CHECKING:
    from vigil.workspace.database import Database

log = logging.getLogger(__name__)

#: Seconds after start-up before the first round (lets the server finish starting).
FIRST_ROUND = 5.0


@dataclass
class Scheduler:
    """Runs due syncs in a background thread until :meth:`stop`; nothing starts in ``__init__``."""

    settings: Settings
    env: Mapping[str, str]
    workspace: Callable[[], Database] | None = None
    on_arrival: OnArrival | None = None
    first_round: float = FIRST_ROUND
    rounds: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the background thread."""
        self._thread = threading.Thread(target=self._loop, name="vigil-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to stop and wait for the current round (up to ``timeout`` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_once(self) -> list[SyncResult]:
        """One round: the due sources, or nothing when another process is syncing."""
        try:
            results = sync(
                self.settings,
                env=self.env,
                wait=0.0,
                workspace=self.workspace,
                on_arrival=self.on_arrival,
            )
        except ConflictError:
            log.info("another process is syncing this data directory; round skipped")
            return []
        for result in results:
            log.info("sync %s: %s %s", result.source, result.status, result.error or "")
        return results

    def _loop(self) -> None:
        wait = self.first_round
        while not self._stop.wait(wait):
            try:
                self.run_once()
            except (VigilError, duckdb.Error, OSError) as err:
                log.warning("sync round failed: %s", err)
            self.rounds += 1
            wait = self.settings.sync_check_every
