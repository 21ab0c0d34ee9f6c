"""The append-only audit log: who changed what, when, with the state before and after.

Rows are only ever inserted. Database triggers (installed by the migrations on SQLite and
PostgreSQL) refuse any UPDATE or DELETE, so not even a bug in the API can rewrite history.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, func, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from vigil.workspace.access import Level, Principal, visible
from vigil.workspace.database import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    """One recorded change."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(60), index=True)
    entity_id: Mapped[str | None] = mapped_column(String(60), index=True)
    confidentiality: Mapped[str] = mapped_column(String(20), default=Level.public.value)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


def _plain(value: Any) -> Any:
    """A JSON-safe version of a column value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


SECRET_COLUMNS = frozenset({"password_hash", "token_hash"})


def snapshot(obj: Any) -> dict[str, Any]:
    """The column values of an ORM object as a JSON-safe dict (secrets left out)."""
    state = inspect(obj)
    values = {
        attr.key: _plain(getattr(obj, attr.key))
        for attr in state.mapper.column_attrs
        if attr.key not in SECRET_COLUMNS
    }
    return json.loads(json.dumps(values, default=str))


def record(
    session: Session,
    actor: Any,
    action: str,
    entity: str,
    entity_id: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    confidentiality: str = Level.public.value,
) -> AuditEntry:
    """Append an entry in the caller's transaction, so it commits or fails with the change."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor=getattr(actor, "name", str(actor)),
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        confidentiality=confidentiality,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


def entries(
    session: Session,
    viewer: Principal,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """Audit entries the viewer is cleared for, newest first, with their total count."""
    query = select(AuditEntry).where(visible(viewer, AuditEntry.confidentiality))
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total
