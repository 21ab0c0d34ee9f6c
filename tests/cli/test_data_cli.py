"""The ``vigil data`` commands: rebuild and diff tables; forecasts from a rebuilt table."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.data import EWP_TABLE, bundled


def vigil(*args: str) -> subprocess.CompletedProcess[str]:
    result = CliRunner().invoke(app, list(args))
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def test_rebuild_then_forecast_gives_the_published_ranking(tmp_path: Path) -> None:
    out = tmp_path / "rebuilt.csv"
    result = vigil("data", "rebuild", "--out", str(out), "--diff", str(bundled(EWP_TABLE)))
    assert result.returncode == 0, result.stderr
    assert "0 changed; 0 country-years added, 0 removed" in result.stdout
    assert "UCDP BRD v25.1" in result.stdout
    provenance = json.loads((tmp_path / "rebuilt.csv.provenance.json").read_text())
    assert provenance["rows"] == 9463
    ranks: dict[str, list[tuple[str, str]]] = {}
    probabilities: dict[str, list[float]] = {}
    for name, data in (("rebuilt", str(out)), ("published", str(bundled(EWP_TABLE)))):
        forecast = vigil("forecast", "--model", "ewp", "--data", data, "--format", "csv")
        assert forecast.returncode == 0, forecast.stderr
        rows = list(csv.DictReader(io.StringIO(forecast.stdout)))
        ranks[name] = [(r["iso3"], r["rank"]) for r in rows]
        probabilities[name] = [float(r["probability"]) for r in rows]
    assert len(ranks["rebuilt"]) == 168
    assert ranks["rebuilt"] == ranks["published"]
    pairs = zip(probabilities["rebuilt"], probabilities["published"], strict=True)
    assert max(abs(a - b) for a, b in pairs) < 1e-9


def test_diff_reports_changed_cells_and_writes_them(tmp_path: Path) -> None:
    old = tmp_path / "old.csv"
    new = tmp_path / "new.csv"
    old.write_text("ewp_name,ccode,year,efindex\nA,1,2000,0.5\nA,1,2001,0.5\nB,2,2000,0.1\n")
    new.write_text("ewp_name,ccode,year,efindex\nA,1,2000,0.5\nA,1,2001,0.75\nC,3,2000,0.2\n")
    changes = tmp_path / "changes.csv"
    result = vigil("data", "diff", str(old), str(new), "--changes", str(changes))
    assert result.returncode == 0, result.stderr
    assert "1 changed; 1 country-years added, 1 removed" in result.stdout
    assert "Added: C 2000" in result.stdout and "Removed: B 2000" in result.stdout
    rows = list(csv.DictReader(changes.open()))
    assert [(r["country"], r["year"], r["column"], float(r["change"])) for r in rows] == [
        ("A", "2001", "efindex", 0.25)]  # fmt: skip


def test_bad_source_directory_is_one_line_and_exit_1(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-c",
        "from vigil.cli.main import run; run()",
        "data",
        "rebuild",
        "--sources",
        str(tmp_path / "nowhere"),
        "--out",
        str(tmp_path / "t.csv"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "not a directory of source files" in result.stderr
    assert not (tmp_path / "t.csv").exists()


def test_diff_of_a_table_without_keys_is_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    result = vigil("data", "diff", str(bad), str(bad))
    assert result.returncode == 1
    assert "missing key column" in result.stderr
