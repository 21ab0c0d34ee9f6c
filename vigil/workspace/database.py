"""The workspace database: engines, sessions and the declarative base.

SQLite (a file in ``VIGIL_HOME``) is the zero-set-up default; PostgreSQL is reached through
``VIGIL_DATABASE_URL`` with the psycopg driver. SQLite gets WAL journaling, enforced foreign keys
and a busy timeout, and write sessions open with ``BEGIN IMMEDIATE`` so concurrent writers queue
instead of failing half-way through a transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    MetaData,
    Select,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from vigil.errors import MissingDependencyError, UsageError
from vigil.settings import Settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every workspace table."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (microseconds kept)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Database:
    """A workspace database: one engine for reads and one for writes (the same on PostgreSQL)."""

    url: str
    engine: Engine
    write_engine: Engine
    write_lock: AbstractContextManager[Any] = field(default_factory=nullcontext)

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is a SQLite file."""
        return self.engine.dialect.name == "sqlite"

    def reader(self) -> sessionmaker[Session]:
        """Session factory for read-only work."""
        return sessionmaker(self.engine, expire_on_commit=False)

    def writer(self) -> sessionmaker[Session]:
        """Session factory for transactions that write (serialised early on SQLite)."""
        return sessionmaker(self.write_engine, expire_on_commit=False)

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """A session committed on success and rolled back on any error."""
        if not write:
            with self.reader()() as session, session.begin():
                yield session
            return
        with self.write_lock, self.writer()() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A Core connection for reads, in one transaction (one consistent snapshot).

        Much cheaper than an ORM session; the API's hot list and lookup paths use it.
        """
        with self.engine.connect() as connection, connection.begin():
            yield connection

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()


def page_of(
    connection: Connection, query: Select[Any], order_by: Any, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of ``query``'s rows as dicts, and how many rows match in all.

    The total rides along as a window count in the same query; only a page past the end, which
    returns no rows to carry it, needs a second query.
    """
    page = query.add_columns(func.count().over().label("_total"))
    rows = [
        dict(row._mapping)
        for row in connection.execute(page.order_by(order_by).limit(limit).offset(offset))
    ]
    if rows:
        total = rows[0]["_total"]
    elif offset:
        total = connection.scalar(select(func.count()).select_from(query.subquery()))
    else:
        total = 0
    for row in rows:
        del row["_total"]
    return rows, int(total or 0)


def open_database(settings: Settings | str, **engine_options: Any) -> Database:
    """Connect to the workspace database named by ``settings`` (or a SQLAlchemy URL).

    Nothing is created here except the SQLite file's directory; run
    :func:`vigil.workspace.migrations.upgrade` to build or update the schema.
    """
    url = settings if isinstance(settings, str) else settings.sqlalchemy_url
    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise UsageError(f"database URL {url!r} is not a SQLAlchemy URL: {err}") from err
    if parsed.get_backend_name() == "sqlite":
        return _open_sqlite(url, parsed.database, engine_options)
    if parsed.get_backend_name() == "postgresql":
        return _open_postgres(url, engine_options)
    raise UsageError(
        f"database URL {url!r}: only sqlite:/// and postgresql+psycopg:// are supported"
    )


def _open_sqlite(url: str, path: str | None, options: dict[str, Any]) -> Database:
    if path and path != ":memory:":
        from pathlib import Path

        from vigil.files import private_file

        # SQLite gives its -wal and -shm files the mode of the database file: 600 for all.
        private_file(Path(path))
    opts = {
        "connect_args": {"timeout": 60, "check_same_thread": False},
        "pool_size": 20,
        "max_overflow": 30,
        **options,
    }
    reader = create_engine(url, **opts)
    writer = create_engine(url, **opts)
    _configure_sqlite(reader, begin="BEGIN")
    _configure_sqlite(writer, begin="BEGIN IMMEDIATE")
    # SQLite has one writer at a time; queueing writers of this process on a lock is fairer
    # (first come, first served) than SQLite's busy handler, which polls with growing sleeps.
    return Database(url=url, engine=reader, write_engine=writer, write_lock=threading.Lock())


def _configure_sqlite(engine: Engine, *, begin: str) -> None:
    """Turn on WAL and foreign keys, and take over transaction start from pysqlite."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)


def _open_postgres(url: str, options: dict[str, Any]) -> Database:
    try:
        import psycopg  # noqa: F401
    except ImportError as err:
        raise MissingDependencyError("psycopg", "postgres", "A PostgreSQL database") from err
    if make_url(url).drivername == "postgresql":
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    opts = {"pool_size": 20, "max_overflow": 30, "pool_pre_ping": True, **options}
    engine = create_engine(url, **opts)
    return Database(url=url, engine=engine, write_engine=engine)
