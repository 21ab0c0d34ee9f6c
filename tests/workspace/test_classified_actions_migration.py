"""Upgrading a workspace made before actions were classified: an existing action becomes as
classified as the most classified alert it links to, and source names stay findable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from vigil.workspace.database import Database, open_database
from vigil.workspace.migrations import upgrade

NOW = "2025-01-01 00:00:00"


@pytest.fixture
def old(db_url: str) -> Iterator[Database]:
    """A database at the first revision, with two actions: one linked to a confidential alert."""
    database = open_database(db_url)
    upgrade(database, "0001")
    with database.engine.begin() as conn:
        for number, level in ((1, "public"), (2, "confidential")):
            conn.execute(
                text(
                    "INSERT INTO alerts (id, kind, iso3, title, detail, severity, state, "
                    "confidentiality, dedup_key, created_at, updated_at, version) VALUES "
                    "(:id, 'forecast_top_n', 'SDN', 't', '{}', 'high', 'open', :level, :key, "
                    ":now, :now, 1)"
                ),
                {"id": number, "level": level, "key": f"k{number}", "now": NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO actions (id, iso3, type, actor, title, description, "
                    "started_on, status, outcome, created_by, created_at, updated_at, version) "
                    "VALUES (:id, 'SDN', 'mediation', 'AU', 't', '', '2025-01-02', 'planned', "
                    "'', 'ana', :now, :now, 1)"
                ),
                {"id": number, "now": NOW},
            )
            conn.execute(
                text("INSERT INTO action_alerts (action_id, alert_id) VALUES (:id, :id)"),
                {"id": number},
            )
    yield database
    database.dispose()


def test_existing_actions_take_the_classification_of_their_links(old: Database) -> None:
    upgrade(old)
    with old.engine.connect() as conn:
        levels = dict(conn.execute(text("SELECT id, confidentiality FROM actions")).all())
    assert levels == {1: "public", 2: "confidential"}


def test_source_names_are_unique_per_classification_after_the_upgrade(old: Database) -> None:
    upgrade(old)
    insert = text(
        "INSERT INTO sources (name, kind, confidentiality, created_at) "
        "VALUES ('network', 'manual', :level, :now)"
    )
    with old.engine.begin() as conn:
        conn.execute(insert, {"level": "confidential", "now": NOW})
        conn.execute(insert, {"level": "public", "now": NOW})
    with pytest.raises(IntegrityError), old.engine.begin() as conn:
        conn.execute(insert, {"level": "public", "now": NOW})
