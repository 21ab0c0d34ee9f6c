"""Normalised events come back out as CSV (spreadsheet-safe), Parquet or GeoJSON, filtered."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from vigil.errors import UsageError
from vigil.events import EventStore, ingest_files
from vigil.events.export import COLUMNS, EventFilter, export_events, neutralise

FIXTURES = Path(__file__).parent.parent / "fixtures" / "events"


@pytest.fixture
def filled(store: EventStore) -> EventStore:
    """A store with the GED 23.1 sample, the GDELT file and the current ACLED layout."""
    ingest_files(store, [FIXTURES / "ged231-sample-1000.csv.gz",
                         FIXTURES / "20250807220000.export.CSV.gz",
                         FIXTURES / "acled" / "acled-current.csv.gz"])  # fmt: skip
    return store


def exported_csv(store: EventStore, selection: EventFilter | None = None) -> list[dict[str, str]]:
    out = io.StringIO()
    export_events(store, "csv", out, selection)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("+1", "'+1"), ("-cmd", "'-cmd"), ("@SUM(A1)",
     "'@SUM(A1)"), ("Government of Syria", "Government of Syria"), (-12.5, -12.5), (None, None)],
)  # fmt: skip
def test_formula_cells_are_made_inert(value: object, safe: object) -> None:
    assert neutralise(value) == safe


def test_csv_export_neutralises_text_cells_but_keeps_negative_numbers(
    filled: EventStore, tmp_path: Path
) -> None:
    filled.query("UPDATE events SET actor1 = '=cmd|'' /C calc''!A0' WHERE source = 'acled'")
    rows = exported_csv(filled, EventFilter(source="acled"))
    assert len(rows) == 24
    assert {row["actor1"] for row in rows} == {"'=cmd|' /C calc'!A0"}
    assert any(float(row["longitude"]) < 0 for row in rows)  # Mali, Côte d'Ivoire, Burkina
    assert list(rows[0]) == list(COLUMNS)


def test_filters_select_by_source_country_and_date(filled: EventStore) -> None:
    assert len(exported_csv(filled)) == 1000 + 884 + 24
    syria = exported_csv(filled, EventFilter(source="ucdp-ged", country="syr"))
    expected = filled.query("SELECT count(*) AS n FROM events WHERE iso3 = 'SYR' AND "
                            "source = 'ucdp-ged'")["n"][0]  # fmt: skip
    assert len(syria) == expected > 0 and {row["iso3"] for row in syria} == {"SYR"}
    recent = exported_csv(filled, EventFilter(since=date(2024, 6, 1)))
    assert recent and all(row["date_start"] >= "2024-06-01" for row in recent)


def test_parquet_export_round_trips_every_event(filled: EventStore, tmp_path: Path) -> None:
    target = tmp_path / "events.parquet"
    assert export_events(filled, "parquet", target) == 1908
    back = (
        duckdb.connect()
        .execute(f"SELECT count(*), count(DISTINCT source_id) FROM '{target}'")
        .fetchone()
    )
    assert back == (1908, 1908)
    with pytest.raises(UsageError, match="needs a file"):
        export_events(filled, "parquet", io.StringIO())


def test_geojson_export_is_a_feature_collection_with_points(filled: EventStore) -> None:
    out = io.StringIO()
    count = export_events(filled, "geojson", out, EventFilter(source="ucdp-ged"))
    collection = json.loads(out.getvalue())
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == count
    first = collection["features"][0]
    lon, lat = first["geometry"]["coordinates"]
    assert (lat, lon) == (first["properties"]["latitude"], first["properties"]["longitude"])


def test_an_unknown_export_format_is_a_usage_error(filled: EventStore) -> None:
    with pytest.raises(UsageError, match="csv, parquet, geojson"):
        export_events(filled, "xlsx", io.StringIO())
