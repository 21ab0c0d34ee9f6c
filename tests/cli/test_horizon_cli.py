"""``vigil forecast --horizon``: same CSV contract, the horizon in the provenance."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from vigil.cli.main import app


def vigil(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    result = CliRunner().invoke(app, list(args), env={"VIGIL_HOME": str(home)})
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def test_one_year_csv_keeps_the_columns_and_the_provenance_says_one_year(tmp_path: Path) -> None:
    result = vigil("forecast", "--model", "ewp", "--horizon", "1", "--format", "csv", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "country,ccode,iso3,base_year,model,probability,rank"
    assert len(result.stdout.splitlines()) == 169
    saved = sorted((tmp_path / "outputs" / "forecasts").glob("ewp-2024-1y-*.json"))
    assert len(saved) == 1
    provenance = json.loads(saved[0].read_text())
    assert provenance["parameters"]["horizon"] == 1
    assert provenance["parameters"]["training_years"] == [1960, 2023]


def test_two_year_json_records_the_horizon_and_method(tmp_path: Path) -> None:
    result = vigil("forecast", "--model", "ewp", "--format", "json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    parameters = json.loads(result.stdout)["provenance"]["parameters"]
    assert parameters["horizon"] == 2
    assert parameters["method"] in {"direct", "split"}


def test_unknown_horizon_is_a_usage_error(tmp_path: Path) -> None:
    result = vigil("forecast", "--horizon", "3", home=tmp_path)
    assert result.returncode == 2
    assert "--horizon" in result.stderr
