"""Helpers for API tests: an app on a given database, and users of every role and clearance."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from vigil.api import create_app
from vigil.settings import Settings
from vigil.workspace.access import Level, Role
from vigil.workspace.database import open_database
from vigil.workspace.migrations import upgrade
from vigil.workspace.users import add_user, issue_token, system_actor

ROLES = [role.value for role in Role]
LEVELS = [level.value for level in Level]


@contextmanager
def api_client(home: Path, url: str, **settings: Any) -> Iterator[TestClient]:
    """A test client of the whole app on the database at ``url`` (other settings as given)."""
    settings.setdefault("triage_embeddings", False)
    app = create_app(Settings(home=home, database_url=url, **settings))
    with TestClient(app) as client:
        yield client


def make_users(url: str) -> dict[tuple[str, str], str]:
    """One user (and token) for every (role, clearance) pair, named ``role-clearance``."""
    db = open_database(url)
    upgrade(db)
    tokens = {}
    with db.session() as session:
        for role in ROLES:
            for level in LEVELS:
                user = add_user(
                    session, system_actor, f"{role}-{level}", role=role, clearance=level
                )
                tokens[(role, level)] = issue_token(session, system_actor, user)
    db.dispose()
    return tokens


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}
