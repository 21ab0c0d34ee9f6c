"""The data directory is owner-only: 700 for every folder, 600 for every file (the workspace
database with its WAL and SHM, the event store, forecast outputs, backups, keys), whatever
the umask, after real runs of the main write paths."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from vigil.files import atomic_write, atomic_write_text, tighten, write_private


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """Run with the common umask 022, under which files are created world-readable."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def modes(root: Path) -> dict[str, int]:
    """Every path under ``root`` (and root itself) with its permission bits."""
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        if not path.is_symlink():
            found[str(path.relative_to(root))] = stat.S_IMODE(path.stat().st_mode)
    return found


def loose(root: Path) -> dict[str, str]:
    """Paths under ``root`` that anyone but the owner could read, enter or write."""
    return {
        name: oct(mode)
        for name, mode in modes(root).items()
        if mode != (0o700 if (root / name).is_dir() else 0o600)
    }


def test_the_library_write_paths_make_owner_only_files(
    loose_umask: None, vigil_home: Path, tmp_path: Path
) -> None:
    from vigil.api.security import session_secret
    from vigil.events.bundled import ingest_bundled
    from vigil.events.store import EventStore
    from vigil.risk.forecast import forecast
    from vigil.risk.outputs import save_forecast
    from vigil.risk.table import load_table
    from vigil.settings import Settings
    from vigil.workspace.backup import backup
    from vigil.workspace.database import open_database
    from vigil.workspace.migrations import upgrade
    from vigil.workspace.users import add_user, system_actor

    settings = Settings(home=vigil_home / "fresh")
    home = settings.ensure_home()
    db = open_database(settings)
    upgrade(db)
    with db.session() as session:
        add_user(session, system_actor, "ana", password="long enough")
    assert {"vigil.db", "vigil.db-wal", "vigil.db-shm"} <= set(os.listdir(home))
    ingest_bundled(EventStore.from_settings(settings))
    save_forecast(home, forecast(load_table(), model="ewp", seed=0))
    session_secret(home)
    target = tmp_path / "backups" / "ws.jsonl.gz"
    backup(db, target)
    assert loose(home) == {}, "while the database is open"
    db.dispose()
    assert loose(home) == {}
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_real_run_of_the_command_leaves_an_owner_only_data_directory(
    loose_umask: None, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "VIGIL_HOME": str(home)}
    env.pop("VIGIL_DATABASE_URL", None)
    for args in (
        ["users", "add", "ana", "--role", "admin"],
        ["users", "token", "ana"],
        ["events", "seed"],
        ["forecast", "--model", "ewp", "--top", "3"],
        ["db", "backup", str(home / "backups" / "ws.jsonl.gz")],
    ):
        run = subprocess.run(
            [sys.executable, "-c", "from vigil.cli.main import run; run()", *args],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
    names = set(modes(home))
    assert {"vigil.db", "events.duckdb", "backups/ws.jsonl.gz"} <= names
    assert any(name.startswith("outputs/forecasts/") for name in names)
    assert loose(home) == {}


def test_a_data_directory_left_readable_is_tightened_at_the_next_start(
    loose_umask: None, vigil_home: Path
) -> None:
    from vigil.settings import Settings

    home = vigil_home / "old"
    (home / "outputs").mkdir(parents=True)
    (home / "vigil.db").write_bytes(b"")
    (home / "outputs" / "forecast.csv").write_text("a,b\n")
    assert loose(home)
    Settings(home=home).ensure_home()
    assert loose(home) == {}


def test_private_writes_are_atomic_and_owner_only(loose_umask: None, tmp_path: Path) -> None:
    path = write_private(tmp_path / "new" / "marker.json", "{}\n")
    assert path.read_text() == "{}\n" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(path.parent) == ["marker.json"]
    tighten(tmp_path / "missing")  # nothing to do, no error


def test_a_write_replaces_the_file_whole_and_creates_its_folder(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "out.json"
    atomic_write_text(target, "first")
    atomic_write(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["out.json"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(TypeError):
        atomic_write(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
