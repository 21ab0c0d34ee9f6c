"""Ingest event files into the store: read, validate, quarantine, merge — all in one transaction.

Each call opens one DuckDB transaction. Every file is scanned with every field as text; malformed
lines (wrong field count, bad encoding) are caught by DuckDB's reject tables, and rows that parse
but make no sense (unparsable date, unknown country, negative deaths) by the reader's ``reason``.
Both kinds go to the quarantine with file and row number. The staging table is built from the
scan alone (no join, no window), so DuckDB reads the file in parallel and keeps its row order: a
staged row's ``rowid`` is its ordinal among the lines DuckDB accepted. Good rows are merged by
``(source, source_id)``: a new id is inserted, a changed row with a version at least as new
replaces the stored one, anything else is left alone — so ingesting a file twice adds nothing.
A crash or ``kill -9`` before COMMIT leaves the store exactly as it was.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from vigil import __version__
from vigil.errors import DataError, UsageError, VigilError
from vigil.events import acled, gdelt, ged
from vigil.events.model import EVENT_NAMES, IngestSummary
from vigil.events.reader import Reader, column_or_null, quote_literal
from vigil.events.store import EventStore, country_macros

log = logging.getLogger(__name__)

READERS: dict[str, Reader] = {r.source: r for r in (ged.READER, acled.READER, gdelt.READER)}

Progress = Callable[[str, float], None]
"""Called with a stage label and the percentage of that stage done."""

_REJECT_REASON = """CASE error_type
    WHEN 'MISSING COLUMNS' THEN 'wrong field count: ' || error_message
    WHEN 'TOO MANY COLUMNS' THEN 'wrong field count: ' || error_message
    WHEN 'INVALID ENCODING' THEN 'bad encoding: not valid UTF-8'
    ELSE lower(error_type) || ': ' || error_message END"""


def reader_for(fmt: str) -> Reader:
    """The reader of a ``--format`` name, or a UsageError listing the known ones."""
    try:
        return READERS[fmt]
    except KeyError:
        known = ", ".join(sorted(READERS))
        raise UsageError(f"unknown event format {fmt!r}: expected one of {known}") from None


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in 4 MiB blocks (runs beside DuckDB in a thread)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class FilePlan:
    """One file to ingest, checked to be readable before the transaction opens."""

    path: Path
    columns: tuple[str, ...]
    sha256: Future[str]


def ingest(
    store: EventStore,
    paths: Sequence[Path],
    fmt: str,
    *,
    progress: Progress | None = None,
    client: Any = None,
) -> IngestSummary:
    """Ingest ``paths`` of format ``fmt`` into ``store`` in one transaction and summarise it.

    With a Dask ``client``, the files are parsed and validated on the cluster (one task per file)
    and only the merge runs here. Raises DataError (nothing written) when a file cannot be read
    at all: missing, or not the named format. Bad rows inside a readable file are quarantined.
    """
    reader = reader_for(fmt)
    with ThreadPoolExecutor(max_workers=1) as pool:
        plans = [_plan(reader, Path(path), pool) for path in paths]
        staged = _stage_on_cluster(client, store, reader, plans) if client is not None else None
        with store.connect() as con:
            con.execute(country_macros())
            con.execute("BEGIN TRANSACTION")
            log.info("transaction open")
            try:
                parts = [
                    _ingest_file(con, reader, plan, progress, staged[i] if staged else None)
                    for i, plan in enumerate(plans)
                ]
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
    return _total(parts)


def stage_to_parquet(fmt: str, path: str, columns: Sequence[str], out: str) -> tuple[str, str]:
    """Parse and validate one file in a private DuckDB, writing staged rows and rejects as Parquet.

    This is the Dask engine's task: it runs on a worker, with the same SQL as the local engine.
    """
    reader = reader_for(fmt)
    staged, rejects = f"{out}.staged.parquet", f"{out}.rejects.parquet"
    with duckdb.connect() as con:
        con.execute(country_macros())
        plan = FilePlan(path=Path(path), columns=tuple(columns), sha256=Future())
        con.execute(_stage_sql(reader, plan))
        con.execute(
            f"COPY (SELECT rowid AS rn, * FROM staged) TO {quote_literal(staged)} (FORMAT parquet)"
        )
        con.execute(f"COPY rej TO {quote_literal(rejects)} (FORMAT parquet)")
    return staged, rejects


def _stage_on_cluster(
    client: Any, store: EventStore, reader: Reader, plans: Sequence[FilePlan]
) -> list[tuple[str, str]]:
    work = store.path.parent / "events.staging"
    work.mkdir(parents=True, exist_ok=True)
    futures = [
        client.submit(
            stage_to_parquet,
            reader.source,
            str(plan.path),
            list(plan.columns),
            str(work / f"{i}-{plan.path.name}"),
            pure=False,
        )
        for i, plan in enumerate(plans)
    ]
    return [tuple(result) for result in client.gather(futures)]


def _plan(reader: Reader, path: Path, pool: ThreadPoolExecutor) -> FilePlan:
    if not path.is_file():
        raise DataError("no such file: expected a readable event file", path=str(path))
    columns = tuple(reader.columns_of(path))
    return FilePlan(path=path.resolve(), columns=columns, sha256=pool.submit(sha256_of, path))


def _total(parts: Sequence[IngestSummary]) -> IngestSummary:
    fields = ("read", "ingested", "updated", "unchanged", "quarantined", "flagged")
    sums = {name: sum(getattr(part, name) for part in parts) for name in fields}
    return IngestSummary(**sums)


def _ingest_file(
    con: duckdb.DuckDBPyConnection,
    reader: Reader,
    plan: FilePlan,
    progress: Progress | None,
    staged: tuple[str, str] | None = None,
) -> IngestSummary:
    now = datetime.now(UTC).replace(tzinfo=None)
    if staged is None:
        try:
            _run(con, _stage_sql(reader, plan), progress, f"reading {plan.path.name}")
        except duckdb.Error as err:
            message = str(err).split("\n")[0]
            raise DataError(
                f"cannot parse the file as {reader.source}: {message}", path=str(plan.path)
            ) from err
    else:
        rows, rejects = (quote_literal(p) for p in staged)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE staged AS "
            f"SELECT * EXCLUDE (rn) FROM read_parquet({rows}) ORDER BY rn"
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE rej AS SELECT * FROM read_parquet({rejects})")
    log.info("staged %s", plan.path.name)
    bad = _quarantine(con, reader, plan, now)
    log.info("merging %s", plan.path.name)
    new, updated, unchanged, flagged = _merge(con, reader, plan, now, progress)
    read = _scalar(con, "SELECT count(*) FROM staged") + _scalar(
        con, "SELECT count(*) FROM rej_lines"
    )
    summary = IngestSummary(read, new, updated, unchanged, bad, flagged)
    con.execute(
        "INSERT INTO ingests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            str(plan.path),
            reader.source,
            plan.sha256.result(),
            read,
            new,
            updated,
            unchanged,
            bad,
            __version__,
            now,
        ],
    )
    return summary


def _stage_sql(reader: Reader, plan: FilePlan) -> str:
    present = frozenset(plan.columns)
    scan = reader.scan_sql(plan.path, plan.columns, "rej")
    raw = [f"raw_{i}" for i in range(len(reader.raw_columns))]
    passed = ", ".join(
        f"{column_or_null(name, present)} AS {alias}"
        for name, alias in zip(reader.raw_columns, raw, strict=True)
    )
    # The raw fields are joined only for bad rows (the CASE evaluates its branch for those rows
    # alone): joining them for every row costs a third. A single-table scan keeps the file's
    # order, so rowids follow it; a join or a window here would read the file on one thread.
    return f"""
        CREATE OR REPLACE TEMP TABLE staged AS
        SELECT * EXCLUDE ({", ".join(raw)}),
            CASE WHEN reason IS NOT NULL THEN array_to_string([{", ".join(raw)}], ' | ') END AS raw
        FROM (SELECT {reader.select(present)}, {passed} FROM {scan} r)"""


def _quarantine(
    con: duckdb.DuckDBPyConnection, reader: Reader, plan: FilePlan, now: datetime
) -> int:
    """Move malformed lines and bad rows into the quarantine (replacing this file's old entries)."""
    header = 1 if reader.header else 0
    file = str(plan.path)
    # DuckDB records one error per missing column of a short line: keep the first per line.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE rej_lines AS "
        "SELECT DISTINCT ON (line) * FROM rej ORDER BY line, column_idx"
    )
    con.execute("DELETE FROM quarantine WHERE file = ?", [file])
    con.execute(
        f"""INSERT INTO quarantine
        SELECT ?, ?, line, {_REJECT_REASON}, csv_line, ? FROM rej_lines""",
        [reader.source, file, now],
    )
    # A staged row's line = its ordinal + header + the rejected lines before it.
    con.execute(
        f"""INSERT INTO quarantine
        WITH rejects AS (SELECT line - {header} - row_number() OVER (ORDER BY line) AS before
                         FROM rej_lines)
        SELECT ?, ?, s.rn + {header} + (SELECT count(*) FROM rejects WHERE before < s.rn),
            s.reason, s.raw, ?
        FROM (SELECT rowid - ? + 1 AS rn, reason, raw FROM staged WHERE reason IS NOT NULL) s""",
        [reader.source, file, now, _first_rowid(con, plan)],
    )
    return _scalar(con, "SELECT count(*) FROM quarantine WHERE file = ?", [file])


def _first_rowid(con: duckdb.DuckDBPyConnection, plan: FilePlan) -> int:
    """The rowid of the first staged row: a row's ordinal in the scan is its rowid minus this.

    The staging table is filled in scan order by one statement, so its rowids run without gaps
    from this one (where they start depends on whether a transaction is open); checked, because
    a quarantined row's number must be exact.
    """
    first, last, count = con.execute(
        "SELECT coalesce(min(rowid), 0), coalesce(max(rowid), -1), count(*) FROM staged"
    ).fetchone() or (0, -1, 0)
    if last - first + 1 != count:
        raise VigilError(
            f"cannot number the rows of {plan.path}: {count} staged rows have rowids "
            f"{first}..{last}, expected a gapless run; nothing was written (please report this)"
        )
    return int(first)


def _merge(
    con: duckdb.DuckDBPyConnection,
    reader: Reader,
    plan: FilePlan,
    now: datetime,
    progress: Progress | None,
) -> tuple[int, int, int, int]:
    """Insert new events, replace changed ones; return (new, updated, unchanged, flagged).

    Only ids, versions and content hashes are joined against the store, and only when the store
    already holds events of this source or the file repeats an id; the full rows are copied once,
    from the staging table straight into ``events``.
    """
    content = [name for name in EVENT_NAMES if name not in ("row_hash", "file")]
    hashed = f"hash({', '.join(n for n in content if n != 'version')})"
    good, distinct, flagged = con.execute(
        "SELECT count(*), count(DISTINCT source_id), count(flags) FROM staged WHERE reason IS NULL"
    ).fetchone() or (0, 0, 0)
    stored = con.execute(
        "SELECT count(*) FROM (SELECT 1 FROM events WHERE source = ? LIMIT 1)", [reader.source]
    ).fetchone()
    if good == distinct and not (stored and stored[0]):
        counts, chosen = {"new": good}, "reason IS NULL"
    else:
        counts = _status(con, reader, hashed, duplicated=good > distinct)
        chosen = "rowid IN (SELECT rn FROM status WHERE status <> 'unchanged')"
    columns = ", ".join(
        {"row_hash": hashed, "file": quote_literal(str(plan.path))}.get(n, n) for n in EVENT_NAMES
    )
    _run(
        con,
        f"INSERT INTO events SELECT {columns}, ? FROM staged WHERE {chosen}",
        progress,
        f"merging {plan.path.name}",
        [now],
    )
    return counts.get("new", 0), counts.get("updated", 0), counts.get("unchanged", 0), flagged


def _status(
    con: duckdb.DuckDBPyConnection, reader: Reader, hashed: str, *, duplicated: bool
) -> dict[str, int]:
    """Classify each good staged row against the store (new, updated or unchanged) into table
    ``status``, delete the stored versions being replaced, and count the classes.

    When an id repeats within the file, only its latest row (highest version, then last in the
    file) takes part.
    """
    latest = (
        "QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY version DESC, rowid DESC) = 1"
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE status AS
        SELECT i.rn, CASE WHEN e.source_id IS NULL THEN 'new'
            WHEN i.row_hash <> e.row_hash AND i.version >= e.version THEN 'updated'
            ELSE 'unchanged' END AS status, i.source_id
        FROM (SELECT rowid AS rn, source_id, version, {hashed} AS row_hash
              FROM staged WHERE reason IS NULL {latest if duplicated else ""}) i
        LEFT JOIN (SELECT source_id, version, row_hash FROM events
                   WHERE source = {quote_literal(reader.source)}) e
            ON e.source_id = i.source_id"""
    )
    counts = dict(con.execute("SELECT status, count(*) FROM status GROUP BY 1").fetchall())
    if counts.get("updated"):
        con.execute(
            """DELETE FROM events WHERE source = ? AND source_id IN
               (SELECT source_id FROM status WHERE status = 'updated')""",
            [reader.source],
        )
    return {str(k): int(v) for k, v in counts.items()}


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    row = con.execute(sql, params or []).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _run(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    progress: Progress | None,
    label: str,
    params: list[object] | None = None,
) -> None:
    """Execute one long statement, reporting DuckDB's own progress while it runs."""
    if progress is None:
        con.execute(sql, params or [])
        return
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.2):
            value = con.query_progress()
            if value >= 0:
                progress(label, float(value))

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        con.execute(sql, params or [])
    finally:
        done.set()
        watcher.join()
    progress(label, 100.0)
