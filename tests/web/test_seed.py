"""First-run seeding: once per data directory, with an admin whose password is shown once."""

from __future__ import annotations

from sqlalchemy import func, select

from vigil.settings import Settings
from vigil.web.seed import ADMIN, ensure_seeded, event_samples
from vigil.workspace.alerts import Alert
from vigil.workspace.database import open_database
from vigil.workspace.migrations import upgrade
from vigil.workspace.users import User, authenticate


def test_first_run_seeds_and_later_runs_leave_everything_alone(tmp_path, snapshot):
    settings = Settings(home=tmp_path)
    db = open_database(settings)
    upgrade(db)
    first = ensure_seeded(db, settings, snapshot)
    again = ensure_seeded(db, settings, snapshot)
    assert first.seeded and first.admin_password
    assert first.alerts > 0
    assert (first.events > 0) == bool(event_samples())
    assert not again.seeded and again.admin_password is None
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1
        assert session.scalar(select(func.count()).select_from(Alert)) == first.alerts
        assert authenticate(session, ADMIN, first.admin_password).role == "admin"
    db.dispose()


def test_an_existing_workspace_gets_no_second_admin(tmp_path, snapshot):
    from vigil.workspace.users import SystemActor, add_user

    settings = Settings(home=tmp_path)
    db = open_database(settings)
    upgrade(db)
    with db.session() as session:
        add_user(session, SystemActor(), "chief", role="admin", password="already here")
    result = ensure_seeded(db, settings, snapshot)
    assert result.seeded and result.admin_password is None
    db.dispose()
