"""Test databases: a SQLite file always, PostgreSQL when ``VIGIL_TEST_DATABASE_URL`` is set.

Fixtures ``db_url``, ``db`` and ``people`` are imported by the workspace and API conftests.

Each PostgreSQL test gets its own schema (selected through the connection's search_path), so
tests are isolated without creating databases, and the schema is dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from vigil.workspace.database import Database, open_database
from vigil.workspace.migrations import upgrade
from vigil.workspace.users import User, add_user, system_actor

POSTGRES_ENV = "VIGIL_TEST_DATABASE_URL"


def backends() -> list[object]:
    """pytest params: sqlite always, postgresql marked skip when no server is configured."""
    skip = pytest.mark.skipif(not os.environ.get(POSTGRES_ENV), reason=f"{POSTGRES_ENV} not set")
    return ["sqlite", pytest.param("postgresql", marks=skip)]


@contextmanager
def database_url(backend: str, home: Path) -> Iterator[str]:
    """A URL of a fresh, empty database of ``backend`` (dropped again afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{home / 'test.db'}"
        return
    base = os.environ[POSTGRES_ENV]
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    joiner = "&" if "?" in base else "?"
    try:
        yield f"{base}{joiner}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=backends())
def db_url(request: pytest.FixtureRequest, vigil_home: Path) -> Iterator[str]:
    """URL of an empty database on each backend."""
    with database_url(request.param, vigil_home) as url:
        yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A database migrated to the newest schema."""
    database = open_database(db_url)
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def people(db: Database) -> dict[str, User]:
    """One user per role (clearance confidential) plus low-clearance analysts (no passwords:
    argon2 is deliberately slow)."""
    specs = {
        "viewer": ("viewer", "confidential"),
        "analyst": ("analyst", "confidential"),
        "reviewer": ("reviewer", "confidential"),
        "admin": ("admin", "confidential"),
        "public_analyst": ("analyst", "public"),
        "restricted_analyst": ("analyst", "restricted"),
    }
    with db.session() as session:
        return {
            name: add_user(session, system_actor, name, role=role, clearance=level)
            for name, (role, level) in specs.items()
        }
