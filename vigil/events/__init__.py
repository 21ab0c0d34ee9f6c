"""Event monitoring: ingest UCDP GED, ACLED and GDELT events, build panels, raise signals.

The flow is ``readers (ged, acled, gdelt) → ingest (validate, quarantine, merge) → store (DuckDB)
→ panels → signals and nowcast``; each step is a library call the CLI wraps thinly.
"""

from vigil.events.ingest import READERS, ingest, ingest_files
from vigil.events.model import EVENT_COLUMNS, IngestSummary, Source, ViolenceType
from vigil.events.store import EventStore

__all__ = [
    "EVENT_COLUMNS",
    "READERS",
    "EventStore",
    "IngestSummary",
    "Source",
    "ViolenceType",
    "ingest",
    "ingest_files",
]
