"""Every setting is documented in the README under its environment variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from vigil.settings import Settings

README = Path(__file__).parents[1] / "README.md"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_in_the_readme(name: str) -> None:
    assert f"`VIGIL_{name.upper()}`" in README.read_text(encoding="utf-8")
