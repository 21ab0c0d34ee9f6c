"""Every workspace table, gathered so migrations and backups see the whole schema."""

from __future__ import annotations

from vigil.workspace import (  # noqa: F401  (imported for their tables)
    alerts,
    assessments,
    audit,
    notes,
    notifications,
    reports,
    responses,
    sessions,
    users,
)
from vigil.workspace.database import Base

metadata = Base.metadata


def tables_in_order() -> list[str]:
    """Table names with every table after the ones it references (safe insert order)."""
    return [table.name for table in metadata.sorted_tables]
