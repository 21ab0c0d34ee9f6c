"""The event samples shipped with Vigil, and the call that seeds a store from them."""

from __future__ import annotations

from pathlib import Path

from vigil.data import bundled
from vigil.events.ingest import ingest
from vigil.events.model import IngestSummary
from vigil.events.store import EventStore

# The 42 events the Syrian file (GED 19.1) shares with the GED 23.1 sample keep their 23.1
# version whatever the order: the release is read from each file's name.
BUNDLED_FILES = ("events/ged191-syria-2016-2019.csv.gz", "events/ged231-sample-1000.csv.gz")


def bundled_paths() -> list[Path]:
    """Filesystem paths of the bundled GED samples."""
    return [bundled(name) for name in BUNDLED_FILES]


def ingest_bundled(store: EventStore) -> IngestSummary:
    """Ingest the bundled GED samples into ``store`` (idempotent: a second call adds nothing)."""
    return ingest(store, bundled_paths(), "ucdp-ged")
