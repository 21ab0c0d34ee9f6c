"""Files are written whole or not at all, and a failed write leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from vigil.files import atomic_write, atomic_write_text


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
