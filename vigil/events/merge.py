"""Merging a staged file into the store: quarantine the bad rows, classify and write the good.

Malformed lines (DuckDB's rejects) and rows whose ``reason`` is set go to the quarantine with
file and row number. Good rows are merged by ``(source, source_id)``: a new id is inserted; a row
with a newer version (GED release, ACLED timestamp, GDELT DATEADDED) replaces the stored one, as
does a changed row of the same version; a row with an older version than the stored one is
``superseded`` and never replaces it; an identical row is ``unchanged``. When an id repeats
within the file, its latest row (highest version, then last in the file) takes part and the
others are counted as ``duplicates``.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from vigil.errors import VigilError
from vigil.events.model import EVENT_NAMES

_REJECT_REASON = """CASE error_type
    WHEN 'MISSING COLUMNS' THEN 'wrong field count: ' || error_message
    WHEN 'TOO MANY COLUMNS' THEN 'wrong field count: ' || error_message
    WHEN 'INVALID ENCODING' THEN 'bad encoding: not valid UTF-8'
    ELSE lower(error_type) || ': ' || error_message END"""
# Provenance columns: not part of what an event says, so not part of its content hash.
_NOT_CONTENT = ("row_hash", "file", "version", "release", "layout")
CONTENT_HASH = f"hash({', '.join(n for n in EVENT_NAMES if n not in _NOT_CONTENT)})"


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the good rows of one file were merged."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0
    duplicates: int = 0
    flagged: int = 0


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    """The first value of a one-row query, as an int (0 when NULL)."""
    row = con.execute(sql, params or []).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def quarantine(
    con: duckdb.DuckDBPyConnection, source: str, file: str, header: bool, now: object
) -> int:
    """Move malformed lines and bad rows into the quarantine (replacing this file's old entries);
    return how many lines were quarantined."""
    skip = 1 if header else 0
    # DuckDB records one error per missing column of a short line: keep the first per line.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE rej_lines AS "
        "SELECT DISTINCT ON (line) * FROM rej ORDER BY line, column_idx"
    )
    con.execute("DELETE FROM quarantine WHERE file = ?", [file])
    con.execute(
        f"INSERT INTO quarantine SELECT ?, ?, line, {_REJECT_REASON}, csv_line, ? FROM rej_lines",
        [source, file, now],
    )
    # A staged row's line = its ordinal + header + the rejected lines before it.
    con.execute(
        f"""INSERT INTO quarantine
        WITH rejects AS (SELECT line - {skip} - row_number() OVER (ORDER BY line) AS before
                         FROM rej_lines)
        SELECT ?, ?, s.rn + {skip} + (SELECT count(*) FROM rejects WHERE before < s.rn),
            s.reason, s.raw, ?
        FROM (SELECT rowid - ? + 1 AS rn, reason, raw FROM staged WHERE reason IS NOT NULL) s""",
        [source, file, now, _first_rowid(con, file)],
    )
    return scalar(con, "SELECT count(*) FROM rej_lines") + scalar(
        con, "SELECT count(*) FROM staged WHERE reason IS NOT NULL"
    )


def _first_rowid(con: duckdb.DuckDBPyConnection, file: str) -> int:
    """The rowid of the first staged row: a row's ordinal in the scan is its rowid minus this.

    The staging table is filled in scan order by one statement, so its rowids run without gaps
    from this one; checked, because a quarantined row's number must be exact.
    """
    first, last, count = con.execute(
        "SELECT coalesce(min(rowid), 0), coalesce(max(rowid), -1), count(*) FROM staged"
    ).fetchone() or (0, -1, 0)
    if last - first + 1 != count:
        raise VigilError(
            f"cannot number the rows of {file}: {count} staged rows have rowids "
            f"{first}..{last}, expected a gapless run; nothing was written (please report this)"
        )
    return int(first)


def classify(con: duckdb.DuckDBPyConnection, source: str) -> tuple[Outcome, str]:
    """Count what the good staged rows will do and return the condition choosing the rows to
    write; replaced stored versions are deleted."""
    good, distinct, flagged = con.execute(
        "SELECT count(*), count(DISTINCT source_id), count(flags) FROM staged WHERE reason IS NULL"
    ).fetchone() or (0, 0, 0)
    stored = scalar(
        con, "SELECT count(*) FROM (SELECT 1 FROM events WHERE source = ? LIMIT 1)", [source]
    )
    duplicates = int(good) - int(distinct)
    if not duplicates and not stored:
        return Outcome(new=int(good), flagged=int(flagged)), "reason IS NULL"
    counts = _status(con, source, duplicated=duplicates > 0)
    outcome = Outcome(
        new=counts.get("new", 0),
        updated=counts.get("updated", 0),
        unchanged=counts.get("unchanged", 0),
        superseded=counts.get("superseded", 0),
        duplicates=duplicates,
        flagged=int(flagged),
    )
    return outcome, "rowid IN (SELECT rn FROM status WHERE status IN ('new', 'updated'))"


def _status(con: duckdb.DuckDBPyConnection, source: str, *, duplicated: bool) -> dict[str, int]:
    latest = (
        "QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY version DESC, rowid DESC) = 1"
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE status AS
        SELECT i.rn, CASE WHEN e.source_id IS NULL THEN 'new'
            WHEN i.version < e.version THEN 'superseded'
            WHEN i.version > e.version OR i.row_hash <> e.row_hash THEN 'updated'
            ELSE 'unchanged' END AS status, i.source_id
        FROM (SELECT rowid AS rn, source_id, version, {CONTENT_HASH} AS row_hash
              FROM staged WHERE reason IS NULL {latest if duplicated else ""}) i
        LEFT JOIN (SELECT source_id, version, row_hash FROM events WHERE source = $source) e
            ON e.source_id = i.source_id""",
        {"source": source},
    )
    counts = dict(con.execute("SELECT status, count(*) FROM status GROUP BY 1").fetchall())
    if counts.get("updated"):
        con.execute(
            """DELETE FROM events WHERE source = ? AND source_id IN
               (SELECT source_id FROM status WHERE status = 'updated')""",
            [source],
        )
    return {str(k): int(v) for k, v in counts.items()}


def insert_sql(chosen: str) -> str:
    """The statement copying the chosen staged rows into ``events`` (parameters: file, now)."""
    columns = ", ".join(
        {"row_hash": f"{CONTENT_HASH} AS row_hash", "file": "$file AS file"}.get(n, n)
        for n in EVENT_NAMES
    )
    return (
        f"INSERT INTO events BY NAME SELECT {columns}, $now AS ingested_at "
        f"FROM staged WHERE {chosen}"
    )
