"""Analysts' notes on a situation, each with its own confidentiality level."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from vigil.errors import NotFoundError, UsageError
from vigil.workspace import audit
from vigil.workspace.access import (
    Principal,
    Role,
    parse_level,
    require_clearance,
    require_role,
    visible,
)
from vigil.workspace.database import Base, UTCDateTime, page_of, utcnow
from vigil.workspace.situations import check_iso3


class Note(Base):
    """A free-text note about a country, optionally about a report, alert or assessment."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iso3: Mapped[str] = mapped_column(String(3), index=True)
    body: Mapped[str] = mapped_column(Text)
    confidentiality: Mapped[str] = mapped_column(String(20), default="public", index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def add_note(
    session: Session,
    user: object,
    iso3: str,
    body: str,
    *,
    confidentiality: str = "public",
    report_id: int | None = None,
) -> Note:
    """Write a note no higher than the author's own clearance."""
    require_role(user, Role.analyst, "Writing a note")  # type: ignore[arg-type]
    level = parse_level(confidentiality).value
    require_clearance(user, level, "Writing a note")  # type: ignore[arg-type]
    if not body.strip():
        raise UsageError("a note needs some text")
    if report_id is not None:
        from vigil.workspace.reports import get_report

        get_report(session, user, report_id)  # type: ignore[arg-type]
    note = Note(
        iso3=check_iso3(iso3),
        body=body,
        confidentiality=level,
        report_id=report_id,
        author_id=getattr(user, "id", None),
        author=getattr(user, "name", "system"),
        created_at=utcnow(),
    )
    session.add(note)
    session.flush()
    audit.record(
        session, user, "create", "note", note.id, after=audit.snapshot(note), confidentiality=level
    )
    return note


def get_note(session: Session, user: Principal, note_id: int) -> Note:
    """One note, or not-found if missing or above the user's clearance."""
    found = session.scalar(
        select(Note).where(Note.id == note_id, visible(user, Note.confidentiality))
    )
    if found is None:
        raise NotFoundError(f"no note {note_id}")
    return found


def _matching(user: Principal, query: Any, iso3: str | None, q: str | None) -> Any:
    """``query`` narrowed to notes within the clearance, about ``iso3``, containing ``q``."""
    query = query.where(visible(user, Note.confidentiality))
    if iso3:
        query = query.where(Note.iso3 == iso3.upper())
    if q:
        query = query.where(func.lower(Note.body).like(f"%{q.lower()}%"))
    return query


NOTE_COLUMNS = (
    Note.id, Note.iso3, Note.body, Note.confidentiality, Note.report_id, Note.author,
    Note.created_at,
)  # fmt: skip


def note_page(
    connection: Connection,
    user: Principal,
    *,
    iso3: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Notes the user may see, newest first, optionally by country or containing ``q``: dicts
    of :data:`NOTE_COLUMNS` from one Core query, and the total."""
    query = _matching(user, select(*NOTE_COLUMNS), iso3, q)
    return page_of(connection, query, Note.id.desc(), limit=limit, offset=offset)
