"""Submitting a report: triage it, store it with what triage found, refuse an exact duplicate.

The one workflow behind every way a report arrives (API JSON, API upload, feed polling, the web
form): the text is triaged with every analyst correction so far, the countries triage found are
added to those given, the language and relevance are recorded on the row, and
:func:`vigil.workspace.reports.store_report` checks role, clearance, source and limits.
Extraction of uploaded files stays in :func:`vigil.workspace.intake.extract_text`.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from vigil.errors import ConflictError
from vigil.workspace import reports as store
from vigil.workspace.access import Clearance, can_see

SHOWN_FACTORS = 5  # factors kept with a stored report


def triage_for_storage(
    session: Session,
    text: str,
    *,
    level: str,
    title: str | None = None,
    use_embeddings: bool = True,
) -> dict[str, Any]:
    """The JSON-ready triage of ``text`` as stored with a report classified ``level``: only
    analysts' corrections on reports classified no higher are used (so the score reveals nothing
    above the report's level), the top :data:`SHOWN_FACTORS` factors kept."""
    from vigil.workspace.triage import triage

    result = triage(
        text,
        title=title or None,
        corrections=store.training_examples(session, Clearance(level)),
        use_embeddings=use_embeddings,
    )
    data = result.to_dict()
    data["factors"] = data["factors"][:SHOWN_FACTORS]
    normalised: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return normalised


def submit_report(
    session: Session,
    user: Any,
    given: store.ReportInput,
    *,
    run_triage: bool = True,
    use_embeddings: bool = True,
) -> store.Stored:
    """Triage and store one report; :class:`ConflictError` if the same text is stored already
    (naming the stored report only when ``user`` may see it)."""
    store.check_text(given.text)  # before triage: its cost grows with the text
    triaged = (
        triage_for_storage(
            session,
            given.text,
            level=given.confidentiality,
            title=given.title,
            use_embeddings=use_embeddings,
        )
        if run_triage
        else None
    )
    if triaged:
        found = tuple(c["iso3"] for c in triaged["countries"])
        given = store.ReportInput(**{**vars(given), "countries": (*given.countries, *found)})
    stored = store.store_report(session, user, given, triage=triaged)
    if not stored.created:
        shown = (
            f" (report {stored.report.id})" if can_see(user, stored.report.confidentiality) else ""
        )
        raise ConflictError(f"an identical report is already stored{shown}")
    return stored


def apply_triage(report: store.Report, triaged: dict[str, Any]) -> None:
    """Record a new triage on a stored report, with its language and relevance."""
    report.triage = triaged
    report.language = triaged.get("language")
    report.relevance = triaged.get("relevance")
