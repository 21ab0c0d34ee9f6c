"""``vigil triage FILE``: countries and risk factors of a report file, as a table or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from vigil.cli.main import app

REPORT = (
    "Gunmen looted the WFP warehouse in Darfur and fired on an aid convoy near El Fasher; "
    "the relief agencies have suspended operations."
)


def test_triage_prints_countries_and_ranked_factors(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    result = CliRunner().invoke(app, ["triage", str(path), "--no-embeddings", "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "Sudan (SDN)" in result.output
    assert "RF14" in result.output
    assert "keyword lexicon only" in result.output


def test_triage_json_carries_the_whole_result(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(f"<html><head><title>Darfur</title></head><body><p>{REPORT}</p></body></html>")
    result = CliRunner().invoke(app, ["triage", str(path), "--no-embeddings", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["title"] == "Darfur"
    assert data["factors"][0]["factor_id"] == "RF14"
    assert data["backend"] == "lexicon"
    assert len(data["factors"]) == 14


def test_triage_of_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["triage", str(tmp_path / "absent.txt")])
    assert result.exit_code == 1
    assert "absent.txt: cannot read the report" in result.output
