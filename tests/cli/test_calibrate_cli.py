"""``vigil backtest --calibrate``: scores forecasts corrected from the track record."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from vigil.cli.main import app


def vigil(*args: str) -> subprocess.CompletedProcess[str]:
    result = CliRunner().invoke(app, list(args))
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def test_calibrated_backtest_names_the_correction_and_scores_it(tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    common = ("backtest", "--model", "battle", "--model", "ongoing", "--start", "2005",
              "--end", "2012", "--bootstrap", "20")  # fmt: skip
    raw = vigil(*common)
    result = vigil(*common, "--calibrate", "intercept", "--summary", str(summary))
    assert raw.returncode == 0 and result.returncode == 0, result.stderr
    assert "corrected from the track record (intercept)" in result.stdout
    assert "within-year AUC" in result.stdout and "model − battle" in result.stdout
    stored = json.loads(summary.read_text())
    assert stored["design"]["calibration"] == "intercept"
    assert stored["paired"]["ongoing"]["within_auc_lo"] <= stored["paired"]["ongoing"]["within_auc"]


def test_unknown_calibration_is_a_usage_error() -> None:
    result = vigil("backtest", "--calibrate", "magic")
    assert result.returncode == 2
    assert "--calibrate" in result.stderr
