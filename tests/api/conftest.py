"""API fixtures: a migrated database on each backend, users of every role, and a test client."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from clients import api_client, make_users
from fastapi.testclient import TestClient
from workspace_databases import db, db_url, people

__all__ = ["db", "db_url", "people"]


@pytest.fixture
def client(db_url: str, vigil_home: Path) -> Iterator[TestClient]:
    """The API on the test's database, served in-process."""
    with api_client(vigil_home, db_url) as c:
        yield c


@pytest.fixture
def tokens(db_url: str, client: TestClient) -> dict[tuple[str, str], str]:
    """An API token per (role, clearance) user."""
    return make_users(db_url)
