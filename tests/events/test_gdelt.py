"""GDELT 2.0 exports ingest with FIPS 10-4 countries; events without a location are quarantined."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from vigil.events import EventStore, gdelt, ingest, ingest_files


def test_the_real_15_minute_file_ingests_and_quarantines_its_25_unlocated_events(
    store: EventStore, plain_gdelt: Path
) -> None:
    summary = ingest(store, [plain_gdelt], "gdelt2")
    assert (summary.read, summary.ingested, summary.quarantined) == (909, 884, 25)
    bad = store.quarantine()
    assert set(bad["reason"]) == {"unknown country: no ActionGeo_CountryCode"}
    # GLOBALEVENTIDs run without gaps from 1256322770, one per line: the row is the file line.
    for row, raw in zip(bad["row"], bad["raw"], strict=True):
        assert str(raw).startswith(str(1256322770 + int(row) - 1))


def test_fips_codes_become_iso3(store: EventStore, gdelt_gz: Path) -> None:
    ingest(store, [gdelt_gz], "gdelt2")
    by_country = store.query(
        "SELECT substr(admin1, 1, 2) AS fips, any_value(iso3) AS iso3 FROM events "
        "WHERE admin1 IS NOT NULL GROUP BY 1"
    ).set_index("fips")["iso3"]
    # FIPS and ISO disagree for these: Saudi Arabia is SA in both, Australia is AS in FIPS.
    assert by_country["SA"] == "SAU"
    assert by_country["AS"] == "AUS"
    assert by_country["UK"] == "GBR"


def test_gdelt_events_carry_no_fatalities_and_cameo_based_types(
    store: EventStore, gdelt_gz: Path
) -> None:
    ingest(store, [gdelt_gz], "gdelt2")
    frame = store.query("SELECT violence_type, fatalities_best, version FROM events")
    assert frame["fatalities_best"].isna().all()
    assert set(frame["violence_type"]) <= {
        "protest_riot",
        "one_sided",
        "state_based",
        "non_state",
        "other",
    }
    assert (frame["version"] == 20250807220000).all()


def gdelt1_file(source: Path, target: Path, columns: int) -> Path:
    """The real GDELT 2.0 rows in GDELT 1.0's layout: no ADM2Code, DATEADDED by day, and (for
    the 57-column back files) no SOURCEURL."""
    keep = [i for i, name in enumerate(gdelt.COLUMNS) if not name.endswith("ADM2Code")]
    lines = []
    for line in gzip.decompress(source.read_bytes()).decode("utf-8").splitlines():
        fields = line.split("\t")
        fields[gdelt.COLUMNS.index("DATEADDED")] = fields[gdelt.COLUMNS.index("DATEADDED")][:8]
        lines.append("\t".join([fields[i] for i in keep][:columns]))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@pytest.mark.parametrize("columns", [57, 58])
def test_gdelt1_files_are_recognised_by_their_field_count(
    store: EventStore, gdelt_gz: Path, tmp_path: Path, columns: int
) -> None:
    path = gdelt1_file(gdelt_gz, tmp_path / "20130401.export.CSV", columns)
    (summary,) = ingest_files(store, [path])
    assert (summary.format, summary.layout) == ("gdelt1", f"gdelt1-{columns}-columns")
    assert (summary.read, summary.ingested, summary.quarantined) == (909, 884, 25)
    events = store.query("SELECT DISTINCT source, version, iso3 IS NOT NULL AS located FROM events")
    assert set(events["source"]) == {"gdelt1"} and events["located"].all()
    assert set(events["version"]) == {20250807000000}
    refs = store.query("SELECT count(source_ref) AS n FROM events")["n"][0]
    assert refs == (884 if columns == 58 else 0)


def test_a_gdelt_file_resaved_with_windows_line_ends_reads_in_full(
    store: EventStore, plain_gdelt: Path
) -> None:
    plain_gdelt.write_bytes(plain_gdelt.read_bytes().replace(b"\n", b"\r\n"))
    (summary,) = ingest_files(store, [plain_gdelt], "gdelt2")
    assert (summary.read, summary.ingested, summary.quarantined) == (909, 884, 25)
    assert summary.dialect["newline"] == "crlf"
    urls = store.query("SELECT count(*) AS n FROM events WHERE source_ref LIKE '%\r'")
    assert urls["n"][0] == 0
