"""Staging: one file scanned, normalised and judged into the temporary table ``staged``.

The staging table is built from the scan alone (no join, no window), so DuckDB reads the file in
parallel and keeps its row order: a staged row's ``rowid`` is its ordinal among the lines DuckDB
accepted. Beside each reader's own judgement, the same rules of possibility apply to every
source, consistently:

- **quarantined** (the event cannot be placed in time): a start or end date after today, or an
  end before the start;
- **flagged, kept** (the rest of the row is sound): coordinates outside ±90° / ±180° are cleared
  and the event keeps the flag ``coordinates_out_of_range`` with the values it had.

A :class:`Stage` is a plain value, so the Dask engine can send it to a worker
(:func:`stage_to_parquet`) and the worker runs the very same SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from vigil.events import acled, gdelt, ged
from vigil.events.reader import Reader, Scan, column_or_null, quote_literal
from vigil.events.store import country_macros

READERS: dict[str, Reader] = {
    r.source: r for r in (ged.READER, acled.READER, gdelt.READER1, gdelt.READER)
}

_COORDINATES_BAD = "(latitude NOT BETWEEN -90 AND 90 OR longitude NOT BETWEEN -180 AND 180)"
_IMPOSSIBLE = """CASE
    WHEN date_start > {today} THEN 'date_start after today: ' || date_start
    WHEN date_end > {today} THEN 'date_end after today: ' || date_end
    WHEN date_end < date_start
        THEN 'date_end before date_start: ' || date_end || ' < ' || date_start
    END"""


@dataclass(frozen=True, slots=True)
class Stage:
    """What staging one file needs: its format, how to scan it, and what the ingest stamps on
    every row (layout and release; ``version`` overrides the reader's when the release sets it).
    """

    source: str
    scan: Scan
    layout: str
    release: str | None
    version: int | None
    today: date

    @property
    def reader(self) -> Reader:
        """The format's reader."""
        return READERS[self.source]

    def sql(self) -> str:
        """The statement that fills ``staged`` from the file (see the module docstring)."""
        present = frozenset(self.scan.columns)
        reader = self.reader
        raw = [f"raw_{i}" for i in range(len(reader.raw_columns))]
        passed = ", ".join(
            f"{column_or_null(name, present)} AS {alias}"
            for name, alias in zip(reader.raw_columns, raw, strict=True)
        )
        impossible = _IMPOSSIBLE.format(today=f"DATE '{self.today.isoformat()}'")
        version = "version" if self.version is None else f"{int(self.version)}::BIGINT"
        release = quote_literal(self.release) if self.release else "NULL::VARCHAR"
        flag = (
            f"CASE WHEN {_COORDINATES_BAD} THEN 'coordinates_out_of_range: ' || latitude "
            "|| ', ' || longitude END"
        )
        # The raw fields are joined only for bad rows (the CASE evaluates its branch for those
        # rows alone). A single-table scan keeps the file's order, so rowids follow it; a join
        # or a window here would read the file on one thread.
        return f"""
        CREATE OR REPLACE TEMP TABLE staged AS
        SELECT * EXCLUDE ({", ".join(raw)}, reason, version, latitude, longitude, flags),
            {version} AS version,
            CASE WHEN NOT {_COORDINATES_BAD} THEN latitude END AS latitude,
            CASE WHEN NOT {_COORDINATES_BAD} THEN longitude END AS longitude,
            NULLIF(concat_ws('; ', flags, {flag}), '') AS flags,
            {release} AS release,
            {quote_literal(self.layout)} AS layout,
            coalesce(reason, {impossible}) AS reason,
            CASE WHEN coalesce(reason, {impossible}) IS NOT NULL
                THEN array_to_string([{", ".join(raw)}], ' | ') END AS raw
        FROM (SELECT {reader.select(present)}, {passed} FROM {self.scan.sql("rej")} r)"""


def stage_to_parquet(stage: Stage, out: str) -> tuple[str, str]:
    """Stage one file in a private DuckDB, writing staged rows and rejects as Parquet.

    This is the Dask engine's task: it runs on a worker, with the same SQL as the local engine.
    """
    staged, rejects = f"{out}.staged.parquet", f"{out}.rejects.parquet"
    with duckdb.connect() as con:
        con.execute(country_macros())
        con.execute(stage.sql())
        con.execute(
            f"COPY (SELECT rowid AS rn, * FROM staged) TO {quote_literal(staged)} (FORMAT parquet)"
        )
        con.execute(f"COPY rej TO {quote_literal(rejects)} (FORMAT parquet)")
    return staged, rejects
