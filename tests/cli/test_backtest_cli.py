"""The command-line contract of ``vigil backtest``."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigil.cli.main import app

HEADER = "country,ccode,iso3,base_year,model,probability,outcome"


def vigil(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a command in-process; the result looks like a finished subprocess."""
    result = CliRunner().invoke(app, list(args))
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def process(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real ``vigil`` entry point in a subprocess (exit codes, stderr)."""
    command = [sys.executable, "-c", "from vigil.cli.main import run; run()", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def test_backtest_writes_predictions_csv_report_and_prints_the_table(tmp_path: Path):
    out, report = tmp_path / "predictions.csv", tmp_path / "report"
    result = vigil("backtest", "--model", "battle", "--model", "ongoing", "--start", "2019",
                   "--end", "2020", "--predictions", str(out), "--report", str(report),
                   "--bootstrap", "20")  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER
    rows = list(csv.DictReader(lines))
    assert {r["model"] for r in rows} == {"battle", "ongoing"}
    assert {r["base_year"] for r in rows} == {"2019", "2020"}
    assert all(0 <= float(r["probability"]) <= 1 and r["outcome"] in "01" for r in rows)
    assert "battle" in result.stdout and "top-30 recall" in result.stdout
    page = (report / "index.html").read_text(encoding="utf-8")
    assert '<script src="plotly.min.js">' in page and "cdn" not in page.lower()
    assert (report / "plotly.min.js").stat().st_size > 1_000_000
    for title in ("ROC curve", "Precision-recall", "Calibration", "Top-30 recall by base year"):
        assert title in page


def test_backtest_summary_records_provenance(tmp_path: Path):
    import json

    summary = tmp_path / "summary.json"
    result = vigil("backtest", "--model", "ongoing", "--start", "2020", "--end", "2020",
                   "--bootstrap", "0", "--summary", str(summary))  # fmt: skip
    assert result.returncode == 0, result.stderr
    stored = json.loads(summary.read_text(encoding="utf-8"))
    assert len(stored["provenance"]["data_sha256"]) == 64
    assert stored["provenance"]["vigil_version"] and stored["provenance"]["created_at"]
    assert stored["pooled"]["ongoing"]["n"] > 100


def test_unknown_model_exits_1_with_one_line_and_writes_nothing(tmp_path: Path):
    out = tmp_path / "p.csv"
    result = process("backtest", "--model", "nope", "--predictions", str(out))
    assert result.returncode == 1
    assert "unknown model" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2010", "--end", "2023"], "too recent"),
        (["--start", "2012", "--end", "2010"], "after --end"),
        (["--model", "battle", "--predictions", "missing/p.csv"], "does not exist"),
    ],
)
def test_impossible_requests_exit_1_before_any_work(tmp_path: Path, args, message):
    result = vigil("backtest", *args)
    assert result.returncode == 1 and message in result.stderr
    assert not any(tmp_path.iterdir())


def test_bad_table_exits_1_naming_the_file_and_writes_nothing(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("ewp_name,ccode,yeer\nChad,483,2000\n", encoding="utf-8")
    out = tmp_path / "p.csv"
    result = vigil("backtest", "--data", str(bad), "--predictions", str(out))
    assert result.returncode == 1 and str(bad) in result.stderr and "year" in result.stderr
    assert not out.exists()


def test_malformed_option_is_a_usage_error():
    assert vigil("backtest", "--start", "soon").returncode == 2


def test_precompute_writes_the_pages_history_into_the_given_folder(tmp_path: Path):
    result = vigil("precompute", "--models", "ongoing", "--part", "history", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    history = tmp_path / "web" / "risk_history.csv.gz"
    assert history.exists() and (tmp_path / "web" / "precomputed.json").exists()
    assert not (tmp_path / "web" / "intervals.csv.gz").exists()


def test_precompute_refuses_an_unknown_model_with_one_line(tmp_path: Path):
    result = process("precompute", "--models", "oracle", "--out", str(tmp_path))
    assert result.returncode == 1
    assert "unknown model(s) oracle" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "web").exists()
