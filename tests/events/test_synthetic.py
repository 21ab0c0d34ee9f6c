"""Synthetic files follow the real layouts exactly and are reproducible."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from vigil.events import EventStore, ingest
from vigil.events.acled import COLUMNS as ACLED_COLUMNS
from vigil.events.synthetic import GED_COLUMNS, acled_file, gdelt_file, ged_file


def test_gdelt_files_have_61_tab_separated_fields_and_no_header(tmp_path: Path) -> None:
    lines = gdelt_file(tmp_path / "g.CSV", 100).read_text().splitlines()
    assert len(lines) == 100
    assert {len(line.split("\t")) for line in lines} == {61}
    assert lines[0].split("\t")[0] == "1000000000"


def test_acled_files_have_the_current_31_column_header(tmp_path: Path) -> None:
    with acled_file(tmp_path / "a.csv", 10).open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == ACLED_COLUMNS and len(ACLED_COLUMNS) == 31
    assert {len(row) for row in rows} == {31}


def test_ged_files_have_the_49_column_header(tmp_path: Path) -> None:
    header = ged_file(tmp_path / "g.csv", 10).read_text().splitlines()[0]
    assert header.split(",") == GED_COLUMNS and len(GED_COLUMNS) == 49


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    digest = [
        hashlib.sha256(gdelt_file(tmp_path / f"{i}.CSV", 1000, seed=7).read_bytes()).hexdigest()
        for i in range(2)
    ]
    assert digest[0] == digest[1]


def test_every_synthetic_row_ingests_cleanly(store: EventStore, tmp_path: Path) -> None:
    for make, fmt in ((gdelt_file, "gdelt2"), (ged_file, "ucdp-ged"), (acled_file, "acled")):
        summary = ingest(store, [make(tmp_path / f"{fmt}.csv.gz", 2000)], fmt)
        assert (summary.read, summary.ingested, summary.quarantined) == (2000, 2000, 0)
    assert store.stats()["by_source"] == {"acled": 2000, "gdelt2": 2000, "ucdp-ged": 2000}
    civilians = store.query(
        "SELECT count(*) AS n FROM events WHERE source = 'acled' AND violence_type = 'one_sided' "
        "AND civilian_deaths <> fatalities_best"
    )
    assert civilians["n"][0] == 0
