"""Opening the workspace database from the command line (settings read here, at the edge)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vigil.settings import Settings

if TYPE_CHECKING:
    from vigil.workspace.database import Database


def open_workspace(*, migrate: bool = True) -> Database:
    """The database named by the environment, migrated to the newest schema by default."""
    from vigil.workspace.database import open_database
    from vigil.workspace.migrations import upgrade

    settings = Settings.from_env()
    if settings.database_url is None:
        settings.ensure_home()
    db = open_database(settings)
    if migrate:
        upgrade(db)
    return db
