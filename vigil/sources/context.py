"""What a provider needs for one sync: HTTP, credentials, a work folder, a clock, a progress hook.

Everything is passed in, nothing read from globals, so tests run providers against local servers
with their own environment and clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from vigil.errors import UsageError
from vigil.sources.client import Http
from vigil.workspace.outbound import OutboundPolicy

Progress = Callable[[str, int, int | None], None]
"""Called with a label, the units done and the total (None when unknown)."""


@dataclass(frozen=True, slots=True)
class SyncContext:
    """The injected surroundings of one source's sync."""

    http: Http
    env: Mapping[str, str]
    work: Path
    batch_rows: int
    today: date
    progress: Progress | None = None
    #: Which addresses a feed may be fetched from (the settings' outbound policy).
    feed_policy: OutboundPolicy | None = None

    def credential(self, variable: str | None, what: str) -> str:
        """The value of environment variable ``variable``; a UsageError naming it when unset."""
        if not variable:
            raise UsageError(f"no environment variable is named for the {what}")
        value = self.env.get(variable)
        if not value:
            raise UsageError(f"the {what} is read from ${variable}, which is not set")
        return value

    def tick(self, label: str, done: int, total: int | None) -> None:
        """Report progress, when someone listens."""
        if self.progress is not None:
            self.progress(label, done, total)
