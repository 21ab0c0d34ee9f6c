"""Alembic environment: runs against the :class:`Database` passed in the configuration."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from vigil.workspace.schema import metadata

database = context.config.attributes["database"]

with database.write_engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=database.is_sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Serialise concurrent upgrades (several server workers starting at once).
            connection.execute(text("SELECT pg_advisory_xact_lock(724201)"))
        context.run_migrations()
