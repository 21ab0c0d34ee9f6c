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
    [data] = json.loads(result.output)
    assert data["title"] == "Darfur"
    assert data["factors"][0]["factor_id"] == "RF14"
    assert data["backend"] == "lexicon"
    assert len(data["factors"]) == 14


def test_triage_of_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["triage", str(tmp_path / "absent.txt")])
    assert result.exit_code == 1
    assert "absent.txt: cannot read the report" in result.output
    assert "1 of 1 reports could not be triaged" in result.output


CONTRACT = (
    "Des milices armées ont tué des civils au Soudan, dans le Darfour, et incendié des villages."
)


def test_batch_json_is_one_list_with_one_object_per_file(tmp_path: Path) -> None:
    (tmp_path / "fr.txt").write_text(CONTRACT, encoding="utf-8")
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Los combates en Colombia dejaron civiles muertos.", "utf-8")
    (folder / "sub" / "b.html").write_text("<p>Наводнение в Судане уничтожило урожай.</p>", "utf-8")
    (folder / "notes.csv").write_text("not,a,report\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["triage", str(tmp_path / "fr.txt"), str(folder), "--json", "--top", "3"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [Path(d["file"]).name for d in data] == ["fr.txt", "a.txt", "b.html"]
    for item in data:
        assert {"file", "language", "relevance", "countries", "factors"} <= set(item)
        assert 0 <= item["relevance"] <= 1 and len(item["factors"]) == 3
        assert all(f["factor_id"].startswith("RF") and "score" in f for f in item["factors"])
    assert [d["language"] for d in data] == ["fr", "es", "ru"]
    assert [d["countries"][0]["iso3"] for d in data] == ["SDN", "COL", "SDN"]


def test_the_contract_example_gives_sudan_first(tmp_path: Path) -> None:
    path = tmp_path / "rapport.txt"
    path.write_text(CONTRACT, encoding="utf-8")
    result = CliRunner().invoke(app, ["triage", str(path), "--json"])
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.output)
    assert item["countries"][0]["iso3"] == "SDN" and item["language"] == "fr"
    assert len(item["factors"]) == 14


def test_a_directory_without_reports_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a,b\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["triage", str(tmp_path)])
    assert result.exit_code == 1
    assert "no report files" in result.output


def test_one_bad_file_in_a_batch_fails_the_batch_but_the_others_are_printed(
    tmp_path: Path,
) -> None:
    (tmp_path / "good.txt").write_text(CONTRACT, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    result = CliRunner().invoke(
        app, ["triage", str(tmp_path / "good.txt"), str(tmp_path / "empty.txt"), "--no-embeddings"]
    )
    assert result.exit_code == 1
    assert "good.txt" in result.output and "empty.txt: the file is empty" in result.output
