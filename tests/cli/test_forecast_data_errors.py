"""``vigil forecast --data`` on tables it cannot use: exit 1 and one line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.risk.table import load_table

runner = CliRunner()


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tables")
    frame = load_table().frame
    columns = [c for c in frame.columns if c not in ("country_name", "iso3")]
    header, one_year = folder / "header.csv", folder / "one-year.csv"
    frame.head(0)[columns].to_csv(header, index=False)
    frame[frame["year"] == frame["year"].max()][columns].to_csv(one_year, index=False)
    return {"header": header, "one_year": one_year}


def _run(path: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["forecast", "--data", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_a_header_only_table_is_one_line_and_exit_1(tables: dict[str, Path]) -> None:
    code, output = _run(tables["header"])
    assert code == 1 and "Traceback" not in output
    assert output.strip().splitlines() == [
        f"vigil: error: {tables['header']}: the table has a header but no rows: "
        "expected one row per country-year"
    ]


def test_a_one_year_table_says_how_many_years_are_needed(tables: dict[str, Path]) -> None:
    code, output = _run(tables["one_year"])
    assert code == 1 and len(output.strip().splitlines()) == 1
    assert "covers 2024–2024" in output and "at least 11 years" in output
    assert "supports" not in output
