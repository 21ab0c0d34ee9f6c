"""Reports in the database: exact and near duplicates, clearance, sources, triage labels."""

from __future__ import annotations

import pytest

from vigil.errors import NotFoundError, PermissionDeniedError
from vigil.workspace import reports as store
from vigil.workspace.database import Database
from vigil.workspace.users import User

STORY = (
    "Militia leaders in the northern province broadcast speeches calling members of the minority "
    "community vermin and urging listeners to drive them from the market towns. Local monitors "
    "recorded the burning of three villages and the flight of several thousand families toward "
    "the border during the second week of the month, while the army withdrew its patrols."
)


def _store(
    db: Database, user: User, text: str, level: str = "public", **kw: object
) -> store.Stored:
    with db.session() as session:
        return store.store_report(
            session, user, store.ReportInput(title="t", text=text, confidentiality=level, **kw)
        )  # type: ignore[arg-type]


def test_an_exact_duplicate_is_not_stored_twice(db: Database, people: dict[str, User]) -> None:
    first = _store(db, people["analyst"], STORY)
    again = _store(db, people["analyst"], "  " + STORY.upper() + "\n")
    assert first.created and not again.created
    assert (again.report.id, again.duplicate_kind) == (first.report.id, "exact")


def test_a_lightly_edited_story_is_stored_as_a_near_duplicate(
    db: Database, people: dict[str, User]
) -> None:
    first = _store(db, people["analyst"], STORY)
    edited = _store(db, people["analyst"], STORY + " Aid agencies asked for access.")
    other = _store(
        db, people["analyst"], "Parliament passed the annual budget after a long debate."
    )
    assert edited.created and edited.report.near_duplicate_of == first.report.id
    assert edited.similarity is not None and edited.similarity >= 0.8
    assert other.report.near_duplicate_of is None


def test_search_lists_and_counts_only_what_the_clearance_allows(
    db: Database, people: dict[str, User]
) -> None:
    for n, level in enumerate(("public", "restricted", "confidential")):
        _store(
            db,
            people["analyst"],
            f"{level} militia report number {n} about killings",
            level,
            countries=("SDN",),
        )
    with db.session(write=False) as session:
        for name, expected in (("public_analyst", 1), ("restricted_analyst", 2), ("analyst", 3)):
            rows, total = store.search_reports(session, people[name], q="MILITIA", iso3="sdn")
            assert total == len(rows) == expected
        hidden = store.search_reports(session, people["analyst"], q="confidential")[0][0]
        with pytest.raises(NotFoundError):
            store.get_report(session, people["restricted_analyst"], hidden.id)


def test_reports_from_a_source_inherit_its_confidentiality(
    db: Database, people: dict[str, User]
) -> None:
    with db.session() as session:
        store.add_source(session, people["analyst"], "field network", confidentiality="restricted")
    stored = _store(db, people["analyst"], STORY, source="field network")
    assert stored.report.confidentiality == "restricted"
    with pytest.raises(NotFoundError):
        _store(db, people["public_analyst"], "another text", source="field network")
    with pytest.raises(PermissionDeniedError):
        _store(db, people["public_analyst"], "yet another text", "confidential")


def test_the_latest_analyst_verdict_per_factor_becomes_a_training_example(
    db: Database, people: dict[str, User]
) -> None:
    report = _store(db, people["analyst"], STORY).report
    with db.session() as session:
        for factor, verdict in (("RF1", "confirmed"), ("RF9", "corrected"), ("RF1", "rejected")):
            store.label(session, people["analyst"], report, factor, verdict)
        assert store.training_examples(session, people["analyst"]) == [(STORY, "RF9")]
        assert [x.verdict for x in store.labels_for(session, report)] == [
            "confirmed",
            "corrected",
            "rejected",
        ]


@pytest.mark.parametrize(
    "filters",
    [{}, {"q": "MILITIA"}, {"iso3": "sdn"}, {"q": "number 1", "iso3": "COD"}, {"source": "wire"}],
)
@pytest.mark.parametrize("window", [(2, 4), (50, 0), (3, 100)])
@pytest.mark.parametrize("name", ["restricted_analyst", "analyst"])
def test_a_report_page_shows_what_the_orm_search_shows(
    db: Database,
    people: dict[str, User],
    filters: dict[str, str],
    window: tuple[int, int],
    name: str,
) -> None:
    with db.session() as session:
        store.add_source(session, people["analyst"], "wire")
    levels = ("public", "restricted", "confidential")
    for n in range(9):
        _store(
            db,
            people["analyst"],
            f"militia report number {n} about killings in district {n * 7}",
            levels[n % 3],
            countries=("SDN", "COD")[: 1 + n % 2],
            source="wire" if n % 4 == 0 else None,
        )
    limit, offset = window
    with db.session(write=False) as session:
        rows, total = store.search_reports(
            session, people[name], limit=limit, offset=offset, **filters
        )
        expected = [store.report_summary(r) for r in rows]
    with db.reading() as connection:
        page, page_total = store.report_page(
            connection, people[name], limit=limit, offset=offset, **filters
        )
    assert (page, page_total) == (expected, total)
    for summary in expected:
        with db.reading() as connection:
            detail = store.report_detail(connection, people[name], summary["id"])
        assert {k: detail[k] for k in summary} == summary


def test_report_detail_hides_reports_above_the_clearance(
    db: Database, people: dict[str, User]
) -> None:
    hidden = _store(db, people["analyst"], STORY, "confidential").report.id
    with db.reading() as connection:
        assert store.report_detail(connection, people["analyst"], hidden)["text"] == STORY
        with pytest.raises(NotFoundError):
            store.report_detail(connection, people["restricted_analyst"], hidden)
