"""Exporting the normalised events: CSV, Parquet or GeoJSON, filtered by source, country and date.

Analysts need their data back out, in the shape Vigil holds it. Rows stream out in batches, so an
export costs bounded memory whatever the store holds. CSV is opened by spreadsheets, which run a
cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula: such text cells (an actor's name,
a note, a URL taken from a news feed) get a leading apostrophe, so they are shown, never run.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

import duckdb

from vigil.errors import UsageError
from vigil.events.model import EVENT_COLUMNS
from vigil.events.store import EventStore

EXPORT_FORMATS = ("csv", "parquet", "geojson")
COLUMNS = tuple(name for name, _, _ in EVENT_COLUMNS if name != "row_hash")
_TEXT = {name for name, kind, _ in EVENT_COLUMNS if kind == "VARCHAR"}
FORMULA_STARTS = ("=", "+", "-", "@")
BATCH = 10_000


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events to export; every field optional."""

    source: str | None = None
    country: str | None = None
    since: date | None = None

    def where(self) -> tuple[str, dict[str, object]]:
        """A WHERE clause and its parameters."""
        parts: list[str] = ["true"]
        params: dict[str, object] = {}
        if self.source:
            parts.append("source = $source")
            params["source"] = self.source
        if self.country:
            parts.append("iso3 = $country")
            params["country"] = self.country.upper()
        if self.since:
            parts.append("date_start >= $since")
            params["since"] = self.since
        return " AND ".join(parts), params


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_events(
    store: EventStore, fmt: str, sink: IO[str] | Path, selection: EventFilter | None = None
) -> int:
    """Write the selected events to ``sink`` (a text stream, or a path; Parquet needs a path)
    in ``fmt``; return how many were written."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {fmt!r}: expected one of csv, parquet, geojson")
    where, params = (selection or EventFilter()).where()
    sql = f"SELECT {', '.join(COLUMNS)} FROM events WHERE {where} ORDER BY source, source_id"
    with store.connect() as con:
        if fmt == "parquet":
            if not isinstance(sink, Path):
                raise UsageError("a Parquet export needs a file: give --output PATH")
            return _parquet(con, sql, params, sink)
        if isinstance(sink, Path):
            with sink.open("w", encoding="utf-8", newline="") as handle:
                return _write_text(con, sql, params, fmt, handle)
        return _write_text(con, sql, params, fmt, sink)


def _write_text(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object], fmt: str, out: IO[str]
) -> int:
    rows = _rows(con, sql, params)
    return _csv(rows, out) if fmt == "csv" else _geojson(rows, out)


def _rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]
) -> Iterator[tuple[Any, ...]]:
    cursor = con.execute(sql, params)
    while batch := cursor.fetchmany(BATCH):
        yield from batch


def _csv(rows: Iterator[tuple[Any, ...]], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    text = [name in _TEXT for name in COLUMNS]
    count = 0
    for row in rows:
        writer.writerow(
            [neutralise(v) if is_text else v for v, is_text in zip(row, text, strict=True)]
        )
        count += 1
    return count


def _geojson(rows: Iterator[tuple[Any, ...]], out: IO[str]) -> int:
    """A GeoJSON FeatureCollection: one Point per event (geometry null when unlocated)."""
    lat, lon = COLUMNS.index("latitude"), COLUMNS.index("longitude")
    out.write('{"type": "FeatureCollection", "features": [\n')
    count = 0
    for row in rows:
        located = row[lat] is not None and row[lon] is not None
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row[lon], row[lat]]} if located else None,
            "properties": dict(zip(COLUMNS, row, strict=True)),
        }
        out.write((",\n" if count else "") + json.dumps(feature, default=str))
        count += 1
    out.write("\n]}\n")
    return count


def _parquet(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object], path: Path
) -> int:
    count = con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()
    con.execute(f"COPY ({sql}) TO $path (FORMAT parquet)", {**params, "path": str(path)})
    return int(count[0]) if count else 0
