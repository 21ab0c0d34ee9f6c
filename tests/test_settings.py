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


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("### Settings") :]
    for name in Settings.model_fields:
        assert f"`VIGIL_{name.upper()}`" in table, f"VIGIL_{name.upper()} is not in the README"


def test_every_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_SEED", "7")
    monkeypatch.setenv("VIGIL_NOTIFY_EVERY", "2.5")
    monkeypatch.setenv("VIGIL_EVENT_MEMORY_LIMIT", "256MB")
    monkeypatch.setenv("VIGIL_TRIAGE_EMBEDDINGS", "false")
    settings = Settings.from_env()
    assert (settings.seed, settings.notify_every) == (7, 2.5)
    assert (settings.event_memory_limit, settings.triage_embeddings) == ("256MB", False)


@pytest.mark.parametrize("name, value", [("VIGIL_NOTIFY_EVERY", "0"),
                                         ("VIGIL_EVENT_MEMORY_LIMIT", "1GB'; DROP")])  # fmt: skip
def test_bad_settings_are_refused_at_start_up(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    from pydantic import ValidationError

    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings.from_env()
