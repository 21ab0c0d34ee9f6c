"""The audit log, read-only: there is no route that changes it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from vigil.api.errors import ERRORS
from vigil.api.pagination import Page, Paging
from vigil.api.security import Admin, Db
from vigil.workspace import audit

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERRORS)


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("", response_model=Page[AuditOut])
def list_entries(
    caller: Admin,
    db: Db,
    page: Paging,
    entity: Annotated[str | None, Query(max_length=60)] = None,
    entity_id: Annotated[str | None, Query(max_length=60)] = None,
) -> Page[AuditOut]:
    """Audit entries within the caller's clearance, newest first."""
    with db.session(write=False) as session:
        rows, total = audit.entries(
            session,
            caller,
            entity=entity,
            entity_id=entity_id,
            limit=page.limit,
            offset=page.offset,
        )
        items = [AuditOut.model_validate(r, from_attributes=True) for r in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
