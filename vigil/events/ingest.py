"""Ingest event files into the store: plan, stage, quarantine, merge — all in one transaction.

Each file is planned first (:mod:`vigil.events.plan`: dialect, format, layout, release), so a
file that cannot be read or is not event rows stops the call before anything is written. Then one
DuckDB transaction stages every file (:mod:`vigil.events.staging`) and merges it
(:mod:`vigil.events.merge`). Every line is accounted for, per file: ``read == ingested + updated
+ unchanged + superseded + duplicates + quarantined``. A file that yields no rows, or whose every
row is quarantined, is an error and nothing is written. A crash or ``kill -9`` before COMMIT
leaves the store exactly as it was.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from vigil import __version__
from vigil.errors import DataError
from vigil.events import merge
from vigil.events.dialect import is_legacy_file
from vigil.events.model import COUNTS, IngestSummary
from vigil.events.plan import FilePlan, check_format, plan_file
from vigil.events.reader import quote_literal
from vigil.events.release import parse_release
from vigil.events.staging import READERS, stage_to_parquet
from vigil.events.store import EventStore, country_macros

__all__ = ["READERS", "Progress", "ingest", "ingest_files", "stage_to_parquet"]

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]
"""Called with a stage label and the percentage of that stage done."""


def ingest_files(
    store: EventStore,
    paths: Sequence[Path | str],
    fmt: str | None = None,
    *,
    release: str | None = None,
    progress: Progress | None = None,
    client: Any = None,
) -> list[IngestSummary]:
    """Ingest ``paths`` into ``store`` in one transaction; return one summary per file.

    ``fmt`` is checked against what each file is; without it the format is recognised.
    ``release`` (``23.1``, ``25.0.10``) overrides the release a GED file's name states. With a
    Dask ``client``, files are staged on the cluster and only the merge runs here. Raises
    DataError (nothing written) when a file cannot be read, is not event rows, or yields none.
    """
    check_format(fmt)
    chosen = parse_release(release) if release else None
    today = datetime.now(UTC).date()
    with (
        ThreadPoolExecutor(max_workers=1) as pool,
        tempfile.TemporaryDirectory(prefix="vigil-ingest-") as work,
    ):
        workdir = Path(work)
        plans = [
            plan_file(Path(p), fmt, chosen, workdir=workdir, pool=pool, today=today) for p in paths
        ]
        staged = _stage_on_cluster(client, store, plans) if client is not None else None
        with store.connect() as con:
            con.execute(country_macros())
            con.execute("BEGIN TRANSACTION")
            log.info("transaction open")
            try:
                summaries = [
                    _ingest_file(con, plan, workdir, progress, staged[i] if staged else None)
                    for i, plan in enumerate(plans)
                ]
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
    return summaries


def ingest(
    store: EventStore,
    paths: Sequence[Path | str],
    fmt: str | None = None,
    *,
    release: str | None = None,
    progress: Progress | None = None,
    client: Any = None,
) -> IngestSummary:
    """Like :func:`ingest_files`, with the files' summaries added up into one."""
    parts = ingest_files(store, paths, fmt, release=release, progress=progress, client=client)
    sums = {name: sum(getattr(p, name) for p in parts) for name in (*COUNTS, "flagged")}
    return IngestSummary(**sums)


def _stage_on_cluster(client: Any, store: EventStore, plans: Sequence[FilePlan]) -> list[Any]:
    work = store.path.parent / "events.staging"
    work.mkdir(parents=True, exist_ok=True)
    futures = [
        client.submit(stage_to_parquet, plan.stage, str(work / f"{i}-{plan.path.name}"), pure=False)
        for i, plan in enumerate(plans)
    ]
    return [tuple(result) for result in client.gather(futures)]


def _stage(
    con: duckdb.DuckDBPyConnection,
    plan: FilePlan,
    workdir: Path,
    progress: Progress | None,
    staged: tuple[str, str] | None,
) -> FilePlan:
    """Fill ``staged`` and ``rej`` from the file; return the plan as finally read.

    A file whose first MiB was plain ASCII is taken for UTF-8; when later lines do not decode
    and the whole file reads as a legacy single-byte encoding, it is staged again as
    Windows-1252.
    """
    if staged is not None:
        rows, rejects = (quote_literal(p) for p in staged)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE staged AS "
            f"SELECT * EXCLUDE (rn) FROM read_parquet({rows}) ORDER BY rn"
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE rej AS SELECT * FROM read_parquet({rejects})")
        return plan
    try:
        _run(con, plan.stage.sql(), progress, f"reading {plan.path.name}")
        if plan.dialect.ascii_sample and _legacy_encoding(con, plan.path):
            plan = plan.with_encoding("cp1252", workdir)
            _run(con, plan.stage.sql(), progress, f"reading {plan.path.name}")
    except duckdb.Error as err:
        message = str(err).split("\n")[0]
        raise DataError(
            f"cannot parse the file as {plan.stage.source}: {message}", path=str(plan.path)
        ) from err
    return plan


def _legacy_encoding(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    bad = merge.scalar(con, "SELECT count(*) FROM rej WHERE error_type = 'INVALID ENCODING'")
    return bool(bad) and is_legacy_file(path)


def _ingest_file(
    con: duckdb.DuckDBPyConnection,
    plan: FilePlan,
    workdir: Path,
    progress: Progress | None,
    staged: tuple[str, str] | None = None,
) -> IngestSummary:
    now = datetime.now(UTC).replace(tzinfo=None)
    plan = _stage(con, plan, workdir, progress, staged)
    log.info("staged %s", plan.path.name)
    file, source = str(plan.path), plan.stage.source
    bad = merge.quarantine(con, source, file, plan.stage.scan.header, now)
    read = merge.scalar(con, "SELECT count(*) FROM staged") + merge.scalar(
        con, "SELECT count(*) FROM rej_lines"
    )
    _check_yield(con, plan, read, bad)
    log.info("merging %s", plan.path.name)
    outcome, chosen = merge.classify(con, source)
    _run(con, merge.insert_sql(chosen), progress, f"merging {plan.path.name}",
         {"file": file, "now": now})  # fmt: skip
    summary = IngestSummary(
        read=read,
        ingested=outcome.new,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        quarantined=bad,
        flagged=outcome.flagged,
        superseded=outcome.superseded,
        duplicates=outcome.duplicates,
        file=file,
        format=source,
        layout=plan.stage.layout,
        release=plan.stage.release,
        dialect=plan.dialect.describe(),
    )
    _record(con, summary, plan, now)
    return summary


def _check_yield(con: duckdb.DuckDBPyConnection, plan: FilePlan, read: int, bad: int) -> None:
    """A file that yields no rows, or only quarantined ones, is an error (nothing is written)."""
    if read == 0:
        raise DataError("no event rows: the file has nothing after its header", path=str(plan.path))
    if bad < read:
        return
    row, reason = con.execute(
        "SELECT row, reason FROM quarantine WHERE file = ? ORDER BY row LIMIT 1", [str(plan.path)]
    ).fetchone() or (0, "")
    raise DataError(
        f"no row could be ingested: all {read} rows are bad, the first for {reason}",
        path=str(plan.path),
        row=int(row),
    )


def _record(
    con: duckdb.DuckDBPyConnection, summary: IngestSummary, plan: FilePlan, now: datetime
) -> None:
    """Keep the file's provenance and outcome in the ``ingests`` table."""
    row = {
        "file": summary.file,
        "source": summary.format,
        "sha256": plan.sha256.result(),
        **{name: getattr(summary, name) for name in (*COUNTS, "flagged")},
        "layout": summary.layout,
        "release": summary.release,
        "dialect": ", ".join(f"{k} {v}" for k, v in summary.dialect.items()),
        "vigil_version": __version__,
        "ingested_at": now,
    }
    names = ", ".join(row)
    values = ", ".join(f"${name}" for name in row)
    con.execute(f"INSERT INTO ingests ({names}) VALUES ({values})", row)


def _run(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    progress: Progress | None,
    label: str,
    params: dict[str, object] | None = None,
) -> None:
    """Execute one long statement, reporting DuckDB's own progress while it runs."""
    if progress is None:
        con.execute(sql, params or {})
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
        con.execute(sql, params or {})
    finally:
        done.set()
        watcher.join()
    progress(label, 100.0)
