"""Provenance: what data, model and version produced an output, and when."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from vigil import __version__


def utc_now() -> str:
    """The current UTC time in ISO 8601, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Provenance:
    """The record every forecast, alert and assessment carries."""

    data_source: str
    data_sha256: str
    model: str
    parameters: dict[str, Any] = field(default_factory=dict)
    vigil_version: str = __version__
    created_at: str = field(default_factory=utc_now)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
