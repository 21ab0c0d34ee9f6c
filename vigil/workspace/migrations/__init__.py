"""Schema migrations (Alembic), shipped in the package and run programmatically."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from vigil.workspace.database import Database

HERE = Path(__file__).parent


def alembic_config(db: Database) -> Config:
    """An Alembic configuration pointing at the bundled scripts and at ``db``."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("path_separator", "os")
    config.attributes["database"] = db
    return config


def upgrade(db: Database, revision: str = "head") -> str | None:
    """Bring the schema up to ``revision`` (the latest by default); returns the new revision."""
    command.upgrade(alembic_config(db), revision)
    return current_revision(db)


def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(db: Database) -> str | None:
    """The newest revision the package ships."""
    return ScriptDirectory.from_config(alembic_config(db)).get_current_head()
