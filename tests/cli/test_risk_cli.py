"""The command-line contract of the structural-risk commands.

Most cases run in-process through Click's runner; the entry point itself (exit
codes, stderr) is checked in a real subprocess.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigil.cli.main import app

FORECAST_HEADER = "country,ccode,iso3,base_year,model,probability,rank"


def process(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real ``vigil`` entry point in a subprocess."""
    command = [sys.executable, "-c", "from vigil.cli.main import run; run()", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def vigil(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a command in-process; the result looks like a finished subprocess."""
    result = CliRunner().invoke(app, list(args))
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def test_help_lists_every_command() -> None:
    result = process("--help")
    assert result.returncode == 0
    for command in ("forecast", "backtest", "models", "explain"):
        assert command in result.stdout


def test_forecast_csv_follows_the_contract(vigil_home: Path) -> None:
    result = vigil("forecast", "--model", "ewp", "--base-year", "2024", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == FORECAST_HEADER
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 168 and rows[0]["rank"] == "1" and rows[0]["iso3"] == "MMR"
    kept = list((vigil_home / "outputs" / "forecasts").glob("ewp-2024-*"))
    assert {p.suffix for p in kept} == {".csv", ".json"}


def test_forecast_json_carries_provenance() -> None:
    result = vigil("forecast", "--model", "ewp", "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["provenance"]["data_sha256"].startswith("92ade125")
    assert len(payload["forecasts"]) == 168


def test_a_bad_table_exits_1_with_one_line_and_writes_nothing(
    tmp_path: Path, vigil_home: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("ewp_name,year\nNowhere,2024\n")
    result = process("forecast", "--data", str(bad), "--format", "csv")
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(bad) in result.stderr and "missing required column" in result.stderr
    assert not any(vigil_home.iterdir())


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("forecast", "--model", "crystal-ball"), 1),
        (("forecast", "--base-year", "3000"), 1),
        (("explain", "Narnia", "--model", "ewp"), 1),
        (("forecast", "--format", "xml"), 2),
        (("no-such-command",), 2),
    ],
)
def test_user_errors_exit_1_and_usage_errors_exit_2(args: tuple[str, ...], code: int) -> None:
    result = vigil(*args)
    assert result.returncode == code, result.stderr
    if code == 1:
        assert result.stderr.startswith("vigil: error:")


def test_models_marks_the_default() -> None:
    result = vigil("models")
    assert result.returncode == 0
    assert "ewp" in result.stdout and "default" in result.stdout


def test_explain_prints_drivers_and_counterfactuals() -> None:
    result = vigil("explain", "MMR", "--model", "ewp", "--base-year", "2024")
    assert result.returncode == 0, result.stderr
    assert "Burma/Myanmar" in result.stdout and "log-odds" in result.stdout
    assert "global value" in result.stdout
