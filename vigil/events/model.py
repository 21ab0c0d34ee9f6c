"""The normalised event model every source is mapped into, and the summary of one ingest.

One row per event, whatever its source: where and when it happened (with the source's precision),
who did it to whom, what kind of violence it was, and how many died. ``EVENT_COLUMNS`` is the single
definition of that row; the store's table, the readers' SQL and the Dask engine all follow it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class ViolenceType(StrEnum):
    """The kinds of violence Vigil distinguishes (UCDP's three types plus unrest and the rest)."""

    STATE_BASED = "state_based"
    NON_STATE = "non_state"
    ONE_SIDED = "one_sided"
    PROTEST_RIOT = "protest_riot"
    OTHER = "other"


class Source(StrEnum):
    """Event sources Vigil can ingest; the value is the ``--format`` name."""

    UCDP_GED = "ucdp-ged"
    ACLED = "acled"
    GDELT2 = "gdelt2"


# (name, DuckDB type, meaning)
EVENT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("source", "VARCHAR", "ucdp-ged, acled or gdelt2"),
    ("source_id", "VARCHAR", "the event's identifier in its source"),
    ("version", "BIGINT", "source version stamp (ACLED timestamp, GDELT DATEADDED, 0 for GED)"),
    ("row_hash", "UBIGINT", "hash of the normalised content, to tell updates from repeats"),
    ("date_start", "DATE", "first day the event may have happened"),
    ("date_end", "DATE", "last day the event may have happened"),
    ("date_precision", "SMALLINT", "source's date precision code (GED 1 = day … 5 = year)"),
    ("month", "DATE", "first day of the month of date_start: the panel's time unit"),
    ("iso3", "VARCHAR", "ISO 3166 alpha-3 (XKX for Kosovo)"),
    ("gwno", "INTEGER", "Gleditsch-Ward number"),
    ("cown", "INTEGER", "Correlates-of-War number"),
    ("country", "VARCHAR", "country name as the source spells it"),
    ("admin1", "VARCHAR", "first-order administrative unit"),
    ("admin2", "VARCHAR", "second-order administrative unit"),
    ("latitude", "DOUBLE", "WGS84 latitude"),
    ("longitude", "DOUBLE", "WGS84 longitude"),
    ("violence_type", "VARCHAR", "one of ViolenceType"),
    ("actor1", "VARCHAR", "perpetrator / side A"),
    ("actor2", "VARCHAR", "target / side B"),
    ("fatalities_best", "INTEGER", "best estimate of deaths (NULL when the source has none)"),
    ("fatalities_low", "INTEGER", "low estimate of deaths"),
    ("fatalities_high", "INTEGER", "high estimate of deaths"),
    (
        "civilian_deaths",
        "INTEGER",
        "civilians killed (GED deaths_civilians, ACLED civilian targeting)",
    ),
    ("source_ref", "VARCHAR", "source article, office or URL"),
    ("flags", "VARCHAR", "data-quality flags kept with the event, e.g. best_outside_low_high"),
    ("file", "VARCHAR", "file the current version came from"),
)

EVENT_NAMES: tuple[str, ...] = tuple(name for name, _, _ in EVENT_COLUMNS)


@dataclass(frozen=True, slots=True)
class IngestSummary:
    """What one ingest call did; the keys of ``vigil events ingest --json``."""

    read: int
    ingested: int
    updated: int
    unchanged: int
    quarantined: int
    flagged: int = 0

    def as_dict(self) -> dict[str, int]:
        """The summary as a plain dict (for JSON output)."""
        return asdict(self)
