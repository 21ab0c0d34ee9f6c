"""The normalised event model every source is mapped into, and the summary of one ingest.

One row per event, whatever its source: where and when it happened (with the source's precision),
who did it to whom, what kind of violence it was, and how many died. ``EVENT_COLUMNS`` is the single
definition of that row; the store's table, the readers' SQL and the Dask engine all follow it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
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
    GDELT1 = "gdelt1"
    GDELT2 = "gdelt2"


# (name, DuckDB type, meaning)
EVENT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("source", "VARCHAR", "ucdp-ged, acled, gdelt1 or gdelt2"),
    ("source_id", "VARCHAR", "the event's identifier in its source"),
    (
        "version",
        "BIGINT",
        "version stamp: GED release order, ACLED timestamp, GDELT DATEADDED; 0 when unknown",
    ),
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
    ("civilian_targeting", "BOOLEAN", "civilians were the target (ACLED's flag, or derived)"),
    ("disorder_type", "VARCHAR", "ACLED disorder type (given, or derived from the event type)"),
    ("source_ref", "VARCHAR", "source article, office or URL"),
    ("flags", "VARCHAR", "data-quality flags kept with the event, e.g. best_outside_low_high"),
    ("release", "VARCHAR", "source release the current version came from (GED 23.1, 25.0.10)"),
    ("layout", "VARCHAR", "the file's layout, e.g. acled-2015-2016 or ged-49-columns"),
    ("file", "VARCHAR", "file the current version came from"),
)

EVENT_NAMES: tuple[str, ...] = tuple(name for name, _, _ in EVENT_COLUMNS)


COUNTS = ("read", "ingested", "updated", "unchanged", "superseded", "duplicates", "quarantined")


@dataclass(frozen=True, slots=True)
class IngestSummary:
    """What the ingest of one file (or of several, added up) did: the keys of ``--json``.

    Every line read is accounted for: ``read == ingested + updated + unchanged + superseded +
    duplicates + quarantined``. ``superseded`` rows are older versions of events the store holds
    in a newer one; ``duplicates`` repeat an id already seen earlier in the same file (the latest
    one is kept); ``flagged`` counts kept events that carry a data-quality flag. For one file,
    ``file``, ``format``, ``layout``, ``release`` and ``dialect`` say what was read.
    """

    read: int
    ingested: int
    updated: int
    unchanged: int
    quarantined: int
    flagged: int = 0
    superseded: int = 0
    duplicates: int = 0
    file: str | None = None
    format: str | None = None
    layout: str | None = None
    release: str | None = None
    dialect: dict[str, str] = field(default_factory=dict)

    @property
    def accounted(self) -> int:
        """The lines the outcome counts add up to (equal to ``read``)."""
        return sum(getattr(self, name) for name in COUNTS[1:])

    def as_dict(self) -> dict[str, object]:
        """The summary as a plain dict (for JSON output); a total of several files has only the
        counts."""
        whole = asdict(self)
        if self.file is None:
            return {k: v for k, v in whole.items() if k in (*COUNTS, "flagged")}
        return whole
