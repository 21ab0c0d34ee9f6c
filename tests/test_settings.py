"""Where Vigil keeps its state."""

from pathlib import Path

import pytest

from vigil.settings import Settings, default_home


def test_vigil_home_overrides_the_per_user_directory(vigil_home: Path) -> None:
    assert Settings.from_env().home == vigil_home


def test_without_vigil_home_the_per_user_directory_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIGIL_HOME")
    assert Settings.from_env().home == default_home()


def test_the_default_database_is_a_sqlite_file_inside_home(vigil_home: Path) -> None:
    assert Settings.from_env().sqlalchemy_url == f"sqlite:///{vigil_home / 'vigil.db'}"
