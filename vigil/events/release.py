"""UCDP GED releases: which release a file is, and how releases order.

UCDP publishes a final release once a year (``23.1`` covers events up to the end of 2022) and
monthly candidate releases in between (``25.0.10``: the tenth candidate of 2025, covering recent
months). An event keeps its id across releases, so the release decides which version of an event
the store keeps: a newer release replaces an older one, never the reverse, and a final release
replaces the candidate events it covers. :attr:`Release.stamp` is that order as one integer
(``major·10000 + minor·1000 + candidate month``): 19.1 < 24.0.12 < 25.1 < 25.1.1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vigil.errors import UsageError

_LABEL = re.compile(r"^v?(\d{1,2})[._](\d)(?:[._](\d{1,2}))?$", re.IGNORECASE)
_NAMES = (
    re.compile(r"gedevent[_-]?v(\d{1,2})_(\d)(?:_(\d{1,2}))?", re.IGNORECASE),
    re.compile(r"ged[_-]?v?(\d{2})[._]?(\d)(?:[._](\d{1,2}))?(?!\d)", re.IGNORECASE),
)


@dataclass(frozen=True, slots=True)
class Release:
    """One GED release: its label (``23.1``, ``25.0.10``) and its place in the order."""

    major: int
    minor: int
    month: int = 0

    @property
    def label(self) -> str:
        """The release as UCDP writes it."""
        base = f"{self.major}.{self.minor}"
        return f"{base}.{self.month}" if self.candidate else base

    @property
    def candidate(self) -> bool:
        """True for a monthly candidate release (minor 0 with a month)."""
        return self.minor == 0 and self.month > 0

    @property
    def stamp(self) -> int:
        """The release's order as the event version: larger is newer."""
        return self.major * 10_000 + self.minor * 1_000 + self.month


def parse_release(text: str) -> Release:
    """A release from its label (``23.1``, ``25.0.10``, ``v25_0_10``); UsageError otherwise."""
    match = _LABEL.match(text.strip())
    if match is None:
        raise UsageError(
            f"--release must look like 23.1 (final) or 25.0.10 (candidate), got {text!r}"
        )
    return _from_groups(match.groups())


def release_from_name(name: str) -> Release | None:
    """The release a UCDP file name states (``ged231-csv.zip``, ``GEDEvent_v25_0_10.csv``)."""
    for pattern in _NAMES:
        match = pattern.search(name)
        if match is not None:
            return _from_groups(match.groups())
    return None


def _from_groups(groups: tuple[str | None, ...]) -> Release:
    major, minor, month = groups
    return Release(int(major or 0), int(minor or 0), int(month or 0))
