"""Fixtures shared by the whole suite: every test runs with its own empty ``VIGIL_HOME``."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def vigil_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty data directory, exported as ``VIGIL_HOME`` for the test."""
    home = tmp_path_factory.mktemp("vigil-home")
    monkeypatch.setenv("VIGIL_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The repository's bundled test fixtures folder."""
    return Path(__file__).parent / "fixtures"
