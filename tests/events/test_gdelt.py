"""GDELT 2.0 exports ingest with FIPS 10-4 countries; events without a location are quarantined."""

from __future__ import annotations

from pathlib import Path

from vigil.events import EventStore, ingest


def test_the_real_15_minute_file_ingests_and_quarantines_its_25_unlocated_events(
    store: EventStore, plain_gdelt: Path
) -> None:
    summary = ingest(store, [plain_gdelt], "gdelt2")
    assert (summary.read, summary.ingested, summary.quarantined) == (909, 884, 25)
    bad = store.quarantine()
    assert set(bad["reason"]) == {"unknown country: no ActionGeo_CountryCode"}
    # GLOBALEVENTIDs run without gaps from 1256322770, one per line: the row is the file line.
    for row in bad.itertuples():
        assert row.raw.startswith(str(1256322770 + row.row - 1))


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
