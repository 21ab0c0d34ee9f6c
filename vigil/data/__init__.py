"""Data files shipped with Vigil, each folder with its PROVENANCE.md."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

EWP_TABLE = "ewp/prepared2024predictors-2025-09-03.csv.gz"


def bundled(relative: str) -> Path:
    """Filesystem path of a bundled data file (the package is installed unzipped)."""
    with as_file(files(__package__).joinpath(relative)) as path:
        return Path(path)
