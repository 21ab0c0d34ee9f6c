"""Portable backups: every workspace table as JSON lines, restorable on SQLite or PostgreSQL.

A backup is one consistent snapshot: a header line (format, schema revision, Vigil version, time),
one line per row, and a trailer with the row count and a SHA-256 of the row lines, so a truncated
or edited file is refused. Restoring happens in a single transaction: it either lands whole or
not at all.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Date, DateTime, LargeBinary, Table, func, inspect, select, text
from sqlalchemy.engine import Connection

from vigil import __version__
from vigil.errors import ConflictError, DataError
from vigil.files import private_file
from vigil.workspace.database import Database, utcnow
from vigil.workspace.migrations import current_revision, head_revision, upgrade
from vigil.workspace.schema import metadata

FORMAT = "vigil-workspace-backup"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class BackupSummary:
    """What a backup or restore covered."""

    path: Path
    revision: str | None
    rows: dict[str, int]
    sha256: str

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _open(path: Path, mode: str, *, gz: bool | None = None) -> IO[str]:
    if path.suffix == ".gz" if gz is None else gz:
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return path.open(mode, encoding="utf-8")


def _encode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for column in table.columns:
        value = row[column.key]
        if value is not None and isinstance(_kind(column), LargeBinary):
            value = base64.b64encode(value).decode()
        elif isinstance(value, datetime | date):
            value = value.isoformat()
        out[column.key] = value
    return out


def _kind(column: Any) -> Any:
    """The underlying SQL type of a column (looking through type decorators)."""
    return getattr(column.type, "impl", column.type)


def _decode(table: Table, row: dict[str, Any], where: str) -> dict[str, Any]:
    out = {}
    for column in table.columns:
        value, kind = row.get(column.key), _kind(column)
        try:
            if value is not None and isinstance(kind, LargeBinary):
                value = base64.b64decode(value)
            elif value is not None and isinstance(kind, DateTime):
                value = datetime.fromisoformat(value)
            elif value is not None and isinstance(kind, Date):
                value = date.fromisoformat(value)
        except (TypeError, ValueError) as err:
            raise DataError(f"bad value {value!r}: {err}", path=where, column=column.key) from err
        out[column.key] = value
    return out


def backup(db: Database, path: Path) -> BackupSummary:
    """Write a consistent snapshot of every table to ``path`` (gzip if it ends in ``.gz``)."""
    partial = private_file(path.with_name(path.name + ".partial"))
    digest, counts = hashlib.sha256(), {}
    options = {} if db.is_sqlite else {"isolation_level": "REPEATABLE READ"}
    with db.engine.connect().execution_options(**options) as conn, conn.begin():
        revision = _revision(conn)
        with _open(partial, "w", gz=path.suffix == ".gz") as out:
            header = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "revision": revision,
                "vigil": __version__,
                "created_at": utcnow().isoformat(),
                "tables": [t.name for t in metadata.sorted_tables],
            }
            out.write(json.dumps(header) + "\n")
            for table in metadata.sorted_tables:
                counts[table.name] = 0
                for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                    line = json.dumps({"t": table.name, "r": _encode(table, dict(row._mapping))})
                    digest.update(line.encode())
                    out.write(line + "\n")
                    counts[table.name] += 1
            out.write(
                json.dumps(
                    {"end": True, "rows": sum(counts.values()), "sha256": digest.hexdigest()}
                )
                + "\n"
            )
    partial.replace(path)
    return BackupSummary(path, revision, counts, digest.hexdigest())


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def read_backup(path: Path) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    """The header and rows of a backup file, after checking its format and checksum."""
    try:
        with _open(path, "r") as handle:
            lines = handle.read().splitlines()
    except (OSError, EOFError, UnicodeDecodeError) as err:
        raise DataError(f"cannot read the backup: {err}", path=str(path)) from err
    if len(lines) < 2:
        raise DataError("not a Vigil backup (too short)", path=str(path))
    header, trailer = _json(lines[0], path, 1), _json(lines[-1], path, len(lines))
    if header.get("format") != FORMAT:
        raise DataError(f"not a Vigil backup: format {header.get('format')!r}", path=str(path))
    digest = hashlib.sha256()
    rows = []
    for number, line in enumerate(lines[1:-1], start=2):
        digest.update(line.encode())
        item = _json(line, path, number)
        rows.append((item["t"], item["r"]))
    if not trailer.get("end") or trailer.get("sha256") != digest.hexdigest():
        raise DataError(
            "the backup is truncated or was modified (checksum differs)", path=str(path)
        )
    return header, rows


def _json(line: str, path: Path, row: int) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as err:
        raise DataError(f"invalid JSON: {err.msg}", path=str(path), row=row) from err
    if not isinstance(value, dict):
        raise DataError("expected a JSON object", path=str(path), row=row)
    return value


def is_empty(db: Database) -> bool:
    """Whether no workspace table holds a row (a fresh database counts as empty)."""
    with db.engine.connect() as conn:
        existing = set(inspect(conn).get_table_names())
        return all(
            not conn.execute(select(func.count()).select_from(table)).scalar()
            for table in metadata.sorted_tables
            if table.name in existing
        )


def restore(db: Database, path: Path, *, replace: bool = False) -> BackupSummary:
    """Load a backup into ``db``; refuses a non-empty database unless ``replace`` is set."""
    header, rows = read_backup(path)
    tables = {t.name: t for t in metadata.sorted_tables}
    unknown = {name for name, _ in rows} - set(tables)
    if unknown:
        raise DataError(
            f"the backup has tables this version does not know: {sorted(unknown)}", path=str(path)
        )
    if not is_empty(db):
        if not replace:
            raise ConflictError(
                "the database is not empty: restore into an empty one, or pass "
                "--replace to discard its contents"
            )
        drop_everything(db)
    upgrade(db, header.get("revision") or "head")
    counts = _insert(db, tables, rows, path)
    upgrade(db)
    return BackupSummary(path, current_revision(db), counts, "")


def _insert(
    db: Database, tables: dict[str, Table], rows: list[tuple[str, dict[str, Any]]], path: Path
) -> dict[str, int]:
    counts: dict[str, int] = {name: 0 for name in tables}
    with db.write_engine.begin() as conn:
        for name in tables:
            batch = [_decode(tables[name], r, f"{path}:{name}") for t, r in rows if t == name]
            if batch:
                conn.execute(tables[name].insert(), batch)
            counts[name] = len(batch)
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn, tables)
    return counts


def _reset_sequences(conn: Connection, tables: dict[str, Table]) -> None:
    for table in tables.values():
        if "id" not in table.columns or not table.c.id.autoincrement:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )


def drop_everything(db: Database) -> None:
    """Drop every workspace table (and the migration marker) so migrations start afresh."""
    with db.write_engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE"))


def schema_is_current(db: Database) -> bool:
    """Whether the database is at the newest shipped revision."""
    return current_revision(db) == head_revision(db)
