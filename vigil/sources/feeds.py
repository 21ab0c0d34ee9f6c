"""RSS/Atom report feeds under the sync scheduler: new entries become workspace reports.

The fetch and parse are the workspace's own (:func:`vigil.workspace.intake.read_feed`, which
enforces the address policy and size and time caps); this module only stores what it returns, in
one transaction, as the system actor, triaged to countries and risk factors on the keyword path
(fast and offline, so a background sync never waits for an embedding model). Exact duplicates
(same normalised text) are counted as unchanged, so a repeated sync stores nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from vigil.sources.registry import SourceSpec
from vigil.workspace import intake
from vigil.workspace import reports as store
from vigil.workspace.database import Database
from vigil.workspace.outbound import OutboundPolicy
from vigil.workspace.submission import triage_for_storage
from vigil.workspace.users import system_actor


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """What one feed sync read and stored."""

    fetched: int
    ingested: int
    unchanged: int
    through: date | None
    watermark: dict[str, Any]


def sync_feed(
    spec: SourceSpec, db: Database, *, policy: OutboundPolicy | None = None
) -> FeedOutcome:
    """Read the feed under ``policy`` (default: public addresses only) and store its new
    entries as reports from source ``spec.name``."""
    items = intake.read_feed(spec.url, policy=policy)
    created = 0
    with db.session() as session:
        known = session.scalar(select(store.Source.id).where(store.Source.name == spec.name))
        if known is None:
            store.add_source(
                session, system_actor, spec.name, kind="feed", url=spec.url, policy=policy
            )
        for item in items:
            text = f"{item.title}\n\n{item.text}"
            triaged = triage_for_storage(
                session, text, level="public", title=item.title, use_embeddings=False
            )
            given = store.ReportInput(
                title=item.title,
                text=text,
                url=item.link,
                source=spec.name,
                published_at=item.published,
                countries=tuple(c["iso3"] for c in triaged["countries"]),
            )
            created += store.store_report(session, system_actor, given, triage=triaged).created
    dates = [item.published.date() for item in items if item.published is not None]
    through = max(dates) if dates else None
    mark = {"entries": len(items), "latest": through.isoformat() if through else None}
    return FeedOutcome(len(items), created, len(items) - created, through, mark)
