"""Analysts' notes on situations, filtered by clearance."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from vigil.api.errors import ERRORS
from vigil.api.pagination import Page, Paging
from vigil.api.security import Analyst, Anyone, Db
from vigil.workspace import notes as work
from vigil.workspace.access import Level

router = APIRouter(prefix="/notes", tags=["notes"], responses=ERRORS)


class NoteIn(BaseModel):
    iso3: str = Field(pattern=r"^[A-Za-z]{3}$")
    body: str = Field(min_length=1, max_length=50_000)
    confidentiality: Level = Level.public
    report_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class NoteOut(BaseModel):
    id: int
    iso3: str
    body: str
    confidentiality: Level
    report_id: int | None
    author: str
    created_at: datetime


@router.get("", response_model=Page[NoteOut])
def list_notes(
    caller: Anyone,
    db: Db,
    page: Paging,
    iso3: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[NoteOut]:
    """Notes within the caller's clearance, newest first."""
    with db.reading() as connection:
        rows, total = work.note_page(
            connection, caller, iso3=iso3, q=q, limit=page.limit, offset=page.offset
        )
    items = [NoteOut(**row) for row in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("", response_model=NoteOut, status_code=201)
def add_note(body: NoteIn, caller: Analyst, db: Db) -> NoteOut:
    """Write a note (at most at your own clearance)."""
    with db.session() as session:
        note = work.add_note(
            session,
            caller,
            body.iso3,
            body.body,
            confidentiality=body.confidentiality.value,
            report_id=body.report_id,
        )
        return NoteOut.model_validate(note, from_attributes=True)


@router.get("/{note_id}", response_model=NoteOut)
def get_note(note_id: Annotated[int, Path(ge=1, le=2**31 - 1)], caller: Anyone, db: Db) -> NoteOut:
    """One note."""
    with db.session(write=False) as session:
        return NoteOut.model_validate(work.get_note(session, caller, note_id), from_attributes=True)
