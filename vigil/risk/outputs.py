"""Forecast outputs kept in the data directory, each with its provenance beside it."""

from __future__ import annotations

import json
from pathlib import Path

from vigil.files import atomic_write_text, private_dir
from vigil.risk.forecast import Forecast


def forecast_path(home: Path, result: Forecast) -> Path:
    """Where a forecast is kept: one CSV per model, base year, horizon and data version."""
    p = result.provenance
    year = p.parameters["base_year"]
    horizon = "-1y" if p.parameters.get("horizon") == 1 else ""
    horizon += "-cal" if "calibration" in p.parameters else ""
    return home / "outputs" / "forecasts" / f"{p.model}-{year}{horizon}-{p.data_sha256[:12]}.csv"


def save_forecast(home: Path, result: Forecast) -> Path:
    """Write the forecast CSV and its provenance JSON atomically; return the CSV path."""
    path = forecast_path(home, result)
    private_dir(path.parent)
    atomic_write_text(path, result.frame.to_csv(index=False))
    atomic_write_text(
        path.with_suffix(".json"), json.dumps(result.provenance.to_dict(), indent=2) + "\n"
    )
    return path
