"""A sync batch: fetched rows written as a file in the provider's export layout, then ingested.

Every provider hands the sync a sequence of :class:`Batch` objects. Each is ingested through the
event library's own :func:`~vigil.events.ingest.ingest` in one transaction, so what reaches the
store went through the same validation, quarantine and merge as a file an analyst ingests by hand.
Batch files have stable names (source, release, page or file stamp), so a batch fetched again after
a failure replaces its own quarantine entries instead of adding new ones.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from vigil.events.ingest import ingest
from vigil.events.store import EventStore
from vigil.sources.registry import when_free

COUNTS = ("ingested", "updated", "unchanged", "superseded", "quarantined")


@dataclass(frozen=True, slots=True)
class Batch:
    """Files to ingest together, and where the source stands once they are committed."""

    files: tuple[Path, ...]
    fmt: str
    fetched: int
    watermark: dict[str, Any]
    through: date | None = None
    release: str | None = None
    notes: tuple[str, ...] = field(default=())


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write ``rows`` as a comma-separated file with a header of ``columns`` (missing → empty).

    JSON numbers become their plain text form (``3``, ``35.76``), as in the providers' exports.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_text(row.get(name)) for name in columns])
    return path


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def ingest_batch(store: EventStore, batch: Batch, client: Any = None) -> dict[str, int]:
    """Ingest one batch in one transaction (under the batch's release, so an older release
    never replaces a newer one) and return its counts. With a Dask ``client`` the files are
    parsed and validated on the cluster, as ``vigil events ingest --engine dask`` does."""
    summary = when_free(
        lambda: ingest(store, list(batch.files), batch.fmt, release=batch.release, client=client)
    )
    return {name: int(getattr(summary, name)) for name in COUNTS}
