"""Assessments: ratings per indicator, optimistic locking, review by reviewers, history, diff."""

from __future__ import annotations

from datetime import date

import pytest

from vigil.errors import ConflictError, NotFoundError, PermissionDeniedError, UsageError
from vigil.workspace import assessments as work
from vigil.workspace.database import Database
from vigil.workspace.framework import load_framework
from vigil.workspace.users import User

R = work.RatingInput


def _draft(db: Database, user: User, **kwargs: object) -> int:
    with db.session() as session:
        return work.create_assessment(session, user, "MMR", date(2025, 3, 1), **kwargs).id  # type: ignore[arg-type]


def test_a_new_assessment_rates_every_framework_indicator_as_unknown(
    db: Database, people: dict[str, User]
) -> None:
    aid = _draft(db, people["analyst"])
    with db.session(write=False) as session:
        a = work.get_assessment(session, people["viewer"], aid)
        assert len(a.ratings) == len(load_framework().indicators)
        assert {r.rating for r in a.ratings} == {"unknown"}
        assert (a.status, a.version, a.framework_version) == ("draft", 1, load_framework().version)


def test_the_second_of_two_concurrent_edits_gets_a_conflict(
    db: Database, people: dict[str, User]
) -> None:
    aid = _draft(db, people["analyst"])
    with db.session() as session:
        a = work.get_assessment(session, people["analyst"], aid)
        work.update_assessment(
            session, people["analyst"], a, expected_version=1, ratings=[R("RF1.1", "present")]
        )
    with pytest.raises(ConflictError, match="changed by someone else"), db.session() as session:
        a = work.get_assessment(session, people["reviewer"], aid)
        work.update_assessment(
            session, people["reviewer"], a, expected_version=1, ratings=[R("RF1.1", "absent")]
        )
    with db.session(write=False) as session:
        a = work.get_assessment(session, people["analyst"], aid)
        assert a.version == 2
        assert next(r.rating for r in a.ratings if r.indicator_id == "RF1.1") == "present"


def test_only_reviewers_can_review_and_reviewed_assessments_are_final(
    db: Database, people: dict[str, User]
) -> None:
    aid = _draft(db, people["analyst"])
    with db.session() as session:
        a = work.get_assessment(session, people["analyst"], aid)
        work.transition(session, people["analyst"], a, "submitted", expected_version=1)
    with pytest.raises(PermissionDeniedError), db.session() as session:
        a = work.get_assessment(session, people["analyst"], aid)
        work.transition(session, people["analyst"], a, "reviewed", expected_version=2)
    with db.session() as session:
        a = work.get_assessment(session, people["reviewer"], aid)
        work.transition(session, people["reviewer"], a, "reviewed", expected_version=2)
        assert a.reviewed_by_id == people["reviewer"].id
    with pytest.raises(ConflictError, match="only drafts"), db.session() as session:
        a = work.get_assessment(session, people["analyst"], aid)
        work.update_assessment(session, people["analyst"], a, expected_version=3, summary="x")


def test_viewers_cannot_create_and_nobody_writes_above_their_clearance(
    db: Database, people: dict[str, User]
) -> None:
    with pytest.raises(PermissionDeniedError):
        _draft(db, people["viewer"])
    with pytest.raises(PermissionDeniedError):
        _draft(db, people["public_analyst"], confidentiality="restricted")


def test_an_assessment_above_the_clearance_reads_as_missing(
    db: Database, people: dict[str, User]
) -> None:
    aid = _draft(db, people["analyst"], confidentiality="confidential")
    with pytest.raises(NotFoundError), db.session(write=False) as session:
        work.get_assessment(session, people["restricted_analyst"], aid)
    with db.session(write=False) as session:
        assert work.list_assessments(session, people["restricted_analyst"]) == ([], 0)
        assert work.list_assessments(session, people["analyst"])[1] == 1


@pytest.mark.parametrize(
    "rating",
    [
        R("RF99.1", "present"),
        R("RF1.1", "sort of"),
        R("RF1.1", "present", "certain"),
        R("RF1.1", "present", evidence=({"kind": "rumour", "ref": "x"},)),
    ],
)
def test_bad_ratings_are_refused_and_nothing_is_saved(
    db: Database, people: dict[str, User], rating: work.RatingInput
) -> None:
    with pytest.raises(UsageError):
        _draft(db, people["analyst"], ratings=[rating])
    with db.session(write=False) as session:
        assert work.list_assessments(session, people["admin"])[1] == 0


def test_history_keeps_every_version_and_diff_shows_what_changed(
    db: Database, people: dict[str, User]
) -> None:
    aid = _draft(db, people["analyst"])
    evidence = ({"kind": "report", "ref": "12"},)
    with db.session() as session:
        a = work.get_assessment(session, people["analyst"], aid)
        work.update_assessment(
            session,
            people["analyst"],
            a,
            expected_version=1,
            ratings=[R("RF1.1", "strongly_present", "high", "curfews", evidence)],
        )
    with db.session(write=False) as session:
        a = work.get_assessment(session, people["analyst"], aid)
        versions = work.history(session, a)
    assert [v.version for v in versions] == [1, 2]
    change = work.diff(versions[0].content, versions[1].content)
    assert change["fields"] == {}
    [item] = change["indicators"]
    assert item["indicator_id"] == "RF1.1"
    assert item["changes"]["rating"] == {"before": "unknown", "after": "strongly_present"}
    assert item["changes"]["evidence"]["after"][0]["ref"] == "12"


def test_a_factor_is_as_present_as_its_most_present_indicator() -> None:
    ratings = [
        {"factor_id": "RF1", "rating": "absent"},
        {"factor_id": "RF1", "rating": "strongly_present"},
        {"factor_id": "RF2", "rating": "absent"},
        {"factor_id": "RF3", "rating": "unknown"},
        {"factor_id": "RF10", "rating": "present"},
    ]
    summary = work.summarise(ratings)
    assert [(s.factor_id, s.level) for s in summary] == [
        ("RF1", "strongly_present"),
        ("RF2", "absent"),
        ("RF3", "unknown"),
        ("RF10", "present"),
    ]
    assert summary[0].score == 0.5
    assert work.overall(summary) == {
        "factors_present": 1,
        "factors_strongly_present": 1,
        "score": 0.25,
    }
