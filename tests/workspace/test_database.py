"""The workspace database: migrations, SQLite defaults, and the append-only audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from vigil.errors import UsageError
from vigil.settings import Settings
from vigil.workspace import audit
from vigil.workspace.database import Database, open_database
from vigil.workspace.migrations import current_revision, head_revision, upgrade
from vigil.workspace.schema import metadata
from vigil.workspace.users import system_actor


def test_default_database_is_a_sqlite_file_in_vigil_home(tmp_path: Path) -> None:
    db = open_database(Settings(home=tmp_path))
    upgrade(db)
    assert db.is_sqlite
    assert (tmp_path / "vigil.db").exists()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_build_every_table_and_reach_head(db: Database) -> None:
    assert current_revision(db) == head_revision(db)
    with db.engine.connect() as conn:
        assert {t.name for t in metadata.sorted_tables} <= set(inspect(conn).get_table_names())


def test_upgrade_twice_changes_nothing(db: Database) -> None:
    assert upgrade(db) == head_revision(db)


@pytest.mark.parametrize("url", ["mysql://x/y", "not a url"])
def test_unsupported_database_urls_are_refused(url: str) -> None:
    with pytest.raises(UsageError, match="database URL"):
        open_database(url)


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"]
)
def test_the_database_refuses_to_change_or_delete_audit_entries(
    db: Database, statement: str
) -> None:
    with db.session() as session:
        audit.record(session, system_actor, "create", "thing", 1, after={"a": 1})
    with pytest.raises(DatabaseError, match="append-only"), db.session() as session:
        session.execute(text(statement))
    with db.session(write=False) as session:
        rows, total = audit.entries(session, system_actor)
    assert total == 1 and rows[0].actor == "system" and rows[0].after == {"a": 1}


@pytest.mark.parametrize(("offset", "ids"), [(0, [5, 4]), (2, [3, 2]), (4, [1]), (9, [])])
def test_a_page_carries_the_total_even_past_the_end(
    db: Database, offset: int, ids: list[int]
) -> None:
    from sqlalchemy import literal, select, union_all

    from vigil.workspace.database import page_of

    numbers = union_all(*(select(literal(i).label("n")) for i in range(1, 6))).subquery()
    query = select(numbers.c.n)
    with db.reading() as connection:
        rows, total = page_of(connection, query, numbers.c.n.desc(), limit=2, offset=offset)
    assert [row["n"] for row in rows] == ids
    assert total == 5
