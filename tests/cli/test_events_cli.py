"""The command-line contract of ``vigil events …`` and ``vigil monitor``."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigil.cli.main import app

FIXTURES = Path(__file__).parent.parent / "fixtures" / "events"
MONITOR_HEADER = "country,iso3,admin1,month,signal,severity,value,baseline,probability"
runner = CliRunner()


def test_ingest_json_prints_the_summary_keys() -> None:
    result = runner.invoke(
        app,
        [
            "events",
            "ingest",
            str(FIXTURES / "ged231-sample-1000.csv.gz"),
            "--format",
            "ucdp-ged",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {"read", "ingested", "updated", "unchanged", "quarantined"} <= set(summary)
    assert (summary["read"], summary["ingested"]) == (1000, 1000)


def test_ingest_with_quarantined_rows_still_exits_0_and_quarantine_lists_them() -> None:
    gdelt = str(FIXTURES / "20250807220000.export.CSV.gz")
    result = runner.invoke(app, ["events", "ingest", gdelt, "--format", "gdelt2", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["quarantined"] == 25
    listed = runner.invoke(app, ["events", "quarantine", "--json"])
    rows = json.loads(listed.stdout)
    assert len(rows) == 25 and {"file", "row", "reason"} <= set(rows[0])


def test_an_unreadable_file_exits_1_with_one_line_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    command = [sys.executable, "-c", "from vigil.cli.main import run; run()"]
    command += ["events", "ingest", str(missing), "--format", "acled", "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    assert str(missing) in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_stats_json_counts_by_source_and_type() -> None:
    runner.invoke(app, ["events", "seed"])
    stats = json.loads(runner.invoke(app, ["events", "stats", "--json"]).stdout)
    assert {"events", "by_source", "by_type", "quarantined"} <= set(stats)
    assert stats["by_source"] == {"ucdp-ged": 1000 + 16566 - 42}


def test_monitor_csv_has_the_contract_header_even_on_an_empty_store() -> None:
    result = runner.invoke(app, ["monitor", "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [MONITOR_HEADER]


def test_monitor_csv_and_json_for_a_month(vigil_home: Path) -> None:
    syria = FIXTURES / "ged191-syria-2016-2019.csv.gz"
    runner.invoke(app, ["events", "ingest", str(syria), "--format", "ucdp-ged"])
    out = runner.invoke(app, ["monitor", "--month", "2017-03", "--format", "csv"]).stdout
    assert out.splitlines()[0] == MONITOR_HEADER
    rows = list(csv.DictReader(io.StringIO(out)))
    assert any(r["signal"] == "civilian_deaths_surge" and r["severity"] == "critical" for r in rows)
    payload = json.loads(
        runner.invoke(app, ["monitor", "--month", "2017-03", "--format", "json"]).stdout
    )
    assert (
        payload["provenance"]["vigil_version"] and len(payload["provenance"]["data_sha256"]) == 64
    )
    assert list((vigil_home / "outputs").glob("monitor-*.json"))


def test_monitor_rejects_a_malformed_month() -> None:
    result = runner.invoke(app, ["monitor", "--month", "March"])
    assert result.exit_code == 1


def test_evaluate_prints_the_comparison_table() -> None:
    result = runner.invoke(app, ["events", "evaluate", "--synthetic"])
    assert result.exit_code == 0
    assert "average_precision" in result.stdout and "rolling_mean" in result.stdout


def test_panel_prints_csv() -> None:
    runner.invoke(app, ["events", "seed"])
    lines = runner.invoke(app, ["events", "panel", "--level", "admin1"]).stdout.splitlines()
    assert lines[0].startswith("iso3,admin1,month,events,")


def test_the_dask_engine_without_dask_names_the_extra_to_install() -> None:
    hide = "import sys; sys.modules['distributed'] = None; sys.modules['dask.dataframe'] = None; "
    command = [sys.executable, "-c", hide + "from vigil.cli.main import run; run()"]
    command += ["events", "panel", "--engine", "dask"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "pip install 'vigil[scale]'" in done.stderr


def test_ingest_on_a_dask_cluster_from_the_command_line() -> None:
    pytest.importorskip("distributed")
    syria = FIXTURES / "ged191-syria-2016-2019.csv.gz"
    result = runner.invoke(
        app, ["events", "ingest", str(syria), "--format", "ucdp-ged", "--json", "--engine", "dask"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ingested"] == 16566


@pytest.fixture
def plain_ged(tmp_path: Path) -> Path:
    """The GED 23.1 sample as UCDP distributes it: plain CSV named for its release."""
    target = tmp_path / "ged231-sample-1000.csv"
    target.write_bytes(gzip.decompress((FIXTURES / "ged231-sample-1000.csv.gz").read_bytes()))
    return target


def _vigil(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess (stdout and stderr apart, exit code as a user sees it)."""
    command = [sys.executable, "-c", "from vigil.cli.main import run; run()", *args]
    env = {**os.environ, "VIGIL_HOME": str(home)}
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)


def test_ingest_of_the_plain_ged_sample_prints_exactly_one_json_object(
    plain_ged: Path, vigil_home: Path
) -> None:
    done = _vigil("events", "ingest", str(plain_ged), "--format", "ucdp-ged", "--json",
                  home=vigil_home)  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.load(io.StringIO(done.stdout))
    counts = ("ingested", "updated", "unchanged", "superseded", "duplicates", "quarantined")
    assert {"read", "flagged", *counts} <= set(summary)
    assert summary["read"] == sum(summary[key] for key in counts) == 1000
    assert (summary["format"], summary["release"]) == ("ucdp-ged", "23.1")


def test_ingest_without_format_prints_one_json_line_per_file() -> None:
    files = [FIXTURES / "20250807220000.export.CSV.gz", FIXTURES / "acled" / "acled-api.csv.gz"]
    result = runner.invoke(app, ["events", "ingest", *map(str, files), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(s["format"], s["layout"], s["read"]) for s in lines] == [
        ("gdelt2", "gdelt2-61-columns", 909),
        ("acled", "acled-api", 24),
    ]


def test_ingest_of_a_file_that_is_not_events_exits_1_with_one_line(
    tmp_path: Path, vigil_home: Path
) -> None:
    aggregated = tmp_path / "acled-aggregated.csv"
    aggregated.write_text(
        "country,admin1,month,year,events,fatalities\nSudan,Khartoum,4,2023,9,31\n"
    )
    done = _vigil("events", "ingest", str(aggregated), "--json", home=vigil_home)
    assert done.returncode == 1 and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert str(aggregated) in line and "aggregated ACLED table" in line and "gdelt1" in line


def test_ingest_takes_the_release_from_the_option(vigil_home: Path) -> None:
    sample = str(FIXTURES / "ged231-sample-1000.csv.gz")
    done = _vigil("events", "ingest", sample, "--release", "25.0.10", "--json", home=vigil_home)
    assert json.loads(done.stdout)["release"] == "25.0.10"
    bad = _vigil("events", "ingest", sample, "--release", "newest", home=vigil_home)
    assert bad.returncode == 1 and "--release must look like" in bad.stderr


def test_export_writes_csv_to_stdout_and_parquet_only_to_a_file(vigil_home: Path) -> None:
    runner.invoke(app, ["events", "ingest", str(FIXTURES / "acled" / "acled-current.csv.gz")])
    result = runner.invoke(app, ["events", "export", "--format", "csv", "--country", "SDN"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 4 and {row["iso3"] for row in rows} == {"SDN"}
    assert runner.invoke(app, ["events", "export", "--format", "parquet"]).exit_code == 2
    target = vigil_home / "out.geojson"
    done = runner.invoke(app, ["events", "export", "--format", "geojson", "-o", str(target),
                               "--since", "2024-07-01"])  # fmt: skip
    assert done.exit_code == 0
    assert len(json.loads(target.read_text())["features"]) == 12
