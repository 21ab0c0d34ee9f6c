"""Backups: a portable JSON-lines snapshot that restores whole, on either backend, or not at all."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from vigil.errors import ConflictError, DataError
from vigil.workspace import assessments, audit, backup, reports
from vigil.workspace.database import Database, open_database
from vigil.workspace.migrations import upgrade
from vigil.workspace.schema import metadata
from vigil.workspace.users import User, add_user, issue_token, system_actor, user_for_token


def _fill(db: Database, people: dict[str, User]) -> str:
    with db.session() as session:
        a = assessments.create_assessment(
            session,
            people["analyst"],
            "MMR",
            date(2025, 1, 1),
            ratings=[assessments.RatingInput("RF1.1", "present")],
        )
        assessments.update_assessment(
            session, people["analyst"], a, expected_version=1, summary="s"
        )
        reports.store_report(
            session,
            people["analyst"],
            reports.ReportInput(title="t", text="a report about militias and displacement"),
        )
        return issue_token(session, system_actor, people["viewer"])


def _dump(db: Database) -> dict[str, list[tuple[object, ...]]]:
    with db.engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in metadata.sorted_tables
        }


def test_backup_and_restore_round_trip_every_row(
    db: Database, people: dict[str, User], tmp_path: Path
) -> None:
    token = _fill(db, people)
    before = _dump(db)
    summary = backup.backup(db, tmp_path / "b.jsonl.gz")
    assert summary.rows["assessment_ratings"] > 0 and summary.rows["audit_log"] > 0
    target = open_database(f"sqlite:///{tmp_path / 'restored.db'}")
    backup.restore(target, tmp_path / "b.jsonl.gz")
    assert _dump(target) == before
    with target.session() as session:
        assert user_for_token(session, token).name == "viewer"
        added = add_user(session, system_actor, "newcomer")
        assert added.id > max(u.id for u in people.values())


def test_restoring_over_data_needs_replace(
    db: Database, people: dict[str, User], tmp_path: Path
) -> None:
    _fill(db, people)
    backup.backup(db, tmp_path / "b.jsonl")
    with pytest.raises(ConflictError, match="not empty"):
        backup.restore(db, tmp_path / "b.jsonl")
    with db.session() as session:
        add_user(session, system_actor, "late")
    backup.restore(db, tmp_path / "b.jsonl", replace=True)
    with db.session(write=False) as session:
        assert "late" not in {u.name for u in session.scalars(select(User))}
        assert audit.entries(session, system_actor)[1] > 0


def test_a_truncated_backup_is_refused_and_nothing_is_written(
    db: Database, people: dict[str, User], tmp_path: Path
) -> None:
    _fill(db, people)
    path = tmp_path / "b.jsonl"
    backup.backup(db, path)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-3] + lines[-1:]) + "\n")
    target = open_database(f"sqlite:///{tmp_path / 'empty.db'}")
    upgrade(target)
    with pytest.raises(DataError, match="truncated or was modified"):
        backup.restore(target, path)
    assert backup.is_empty(target)
