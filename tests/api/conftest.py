"""API fixtures: a migrated database on each backend, and users of every role."""

from workspace_databases import db, db_url, people

__all__ = ["db", "db_url", "people"]
