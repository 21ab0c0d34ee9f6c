"""ACLED exports (synthetic: ACLED's rows may not be redistributed) map to the event model."""

from __future__ import annotations

from pathlib import Path

import pytest

from vigil.events import EventStore, ingest
from vigil.events.acled import COLUMNS
from vigil.events.synthetic import acled_file


def acled_row(path: Path, rows: int = 1, **fields: str) -> Path:
    """An ACLED file of synthetic rows, the first with some fields replaced."""
    acled_file(path, rows)
    header, row, *rest = path.read_text().splitlines()
    import csv

    values = dict(zip(COLUMNS, next(csv.reader([row])), strict=True))
    values.update(fields)
    quoted = ",".join('"' + values[c].replace('"', '""') + '"' for c in COLUMNS)
    path.write_text("\n".join([header, quoted, *rest]) + "\n")
    return path


@pytest.mark.parametrize("written", ["2024-01-15", "15 January 2024"])
def test_both_acled_date_spellings_parse(store: EventStore, tmp_path: Path, written: str) -> None:
    ingest(store, [acled_row(tmp_path / "a.csv", event_date=written)], "acled")
    assert str(store.query("SELECT date_start FROM events")["date_start"][0])[:10] == "2024-01-15"


def test_violence_against_civilians_is_one_sided_and_its_deaths_are_civilian(
    store: EventStore, tmp_path: Path
) -> None:
    path = acled_row(
        tmp_path / "a.csv",
        event_type="Violence against civilians",
        civilian_targeting="Civilian targeting",
        fatalities="7",
        iso="729",
    )
    ingest(store, [path], "acled")
    event = store.query("SELECT * FROM events").iloc[0]
    assert (event.violence_type, event.civilian_deaths, event.iso3) == ("one_sided", 7, "SDN")


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"iso": "999"}, "unknown country: iso 999"),
        ({"fatalities": "-1"}, "negative or non-integer fatalities"),
        ({"event_date": "yesterday"}, "unparsable event_date"),
    ],
)
def test_bad_acled_rows_are_quarantined(
    store: EventStore, tmp_path: Path, fields: dict[str, str], reason: str
) -> None:
    summary = ingest(store, [acled_row(tmp_path / "a.csv", 2, **fields)], "acled")
    assert (summary.quarantined, summary.ingested) == (1, 1)
    assert reason in store.quarantine()["reason"][0]
