"""Submitting a report: triage recorded on the row (language, relevance), countries added,
duplicates refused, the inbox ordered and filtered by relevance; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from vigil.errors import ConflictError, PermissionDeniedError
from vigil.workspace import reports as store
from vigil.workspace.database import Database
from vigil.workspace.submission import apply_triage, submit_report, triage_for_storage
from vigil.workspace.users import User

KILLINGS = "Des miliciens ont tué des civils au Soudan et brûlé des villages du Darfour."
FLOODS = "Floods in Borno State destroyed crops; officials are distributing seed to farmers."


def _submit(db: Database, user: User, text: str, **kw: object) -> store.Report:
    with db.session() as session:
        given = store.ReportInput(title=kw.pop("title", "t"), text=text, **kw)  # type: ignore[arg-type]
        report = submit_report(session, user, given).report
        session.expunge(report)
        return report


def test_a_submitted_report_carries_its_language_relevance_and_countries(
    db: Database, people: dict[str, User]
) -> None:
    report = _submit(db, people["analyst"], KILLINGS, countries=("TCD",))
    assert report.language == "fr" and report.relevance is not None and report.relevance > 0.5
    assert report.triage is not None and report.triage["language"] == "fr"
    assert len(report.triage["factors"]) == 5
    with db.session(write=False) as session:
        stored = store.get_report(session, people["analyst"], report.id)
        assert [c.iso3 for c in stored.countries] == ["SDN", "TCD"]
        assert stored.relevance == report.relevance


def test_a_duplicate_is_refused_only_against_what_the_submitter_may_see(
    db: Database, people: dict[str, User]
) -> None:
    first = _submit(db, people["analyst"], KILLINGS, confidentiality="confidential")
    with pytest.raises(ConflictError, match=f"already stored \\(report {first.id}\\)"):
        _submit(db, people["analyst"], KILLINGS)
    # A refusal would tell a public-clearance analyst that a confidential report holds this text.
    second = _submit(db, people["public_analyst"], KILLINGS)
    assert second.id != first.id and second.confidentiality == "public"


def test_clearance_and_role_are_checked_by_the_store(db: Database, people: dict[str, User]) -> None:
    with pytest.raises(PermissionDeniedError):
        _submit(db, people["viewer"], KILLINGS)
    with pytest.raises(PermissionDeniedError):
        _submit(db, people["public_analyst"], KILLINGS, confidentiality="confidential")


def test_the_inbox_orders_and_filters_by_relevance(db: Database, people: dict[str, User]) -> None:
    killings = _submit(db, people["analyst"], KILLINGS, title="killings")
    floods = _submit(db, people["analyst"], FLOODS, title="floods")
    assert floods.relevance is not None and killings.relevance is not None
    assert floods.relevance < 0.4 < killings.relevance
    with db.session(write=False) as session:
        untriaged = store.store_report(
            session, people["analyst"], store.ReportInput(title="none", text="No triage here.")
        ).report.id
        newest, _ = store.search_reports(session, people["analyst"])
        ranked, _ = store.search_reports(session, people["analyst"], by_relevance=True)
        relevant, total = store.search_reports(session, people["analyst"], min_relevance=0.5)
    assert [r.title for r in newest] == ["none", "floods", "killings"]
    assert [r.id for r in ranked] == [killings.id, floods.id, untriaged]
    assert ([r.id for r in relevant], total) == ([killings.id], 1)


def test_retriage_updates_language_and_relevance(db: Database, people: dict[str, User]) -> None:
    report = _submit(db, people["analyst"], FLOODS)
    with db.session() as session:
        found = store.get_report(session, people["analyst"], report.id)
        found.text = KILLINGS
        apply_triage(found, triage_for_storage(session, found.text, level=found.confidentiality))
    with db.session(write=False) as session:
        again = store.get_report(session, people["analyst"], report.id)
        assert again.language == "fr" and (again.relevance or 0) > 0.5
