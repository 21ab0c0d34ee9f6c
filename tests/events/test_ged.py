"""UCDP GED files ingest in both real layouts; GW countries are mapped, quirks flagged, not lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from vigil.errors import DataError
from vigil.events import EventStore, ingest


def test_the_49_column_sample_ingests_every_event_and_flags_13_inconsistent_estimates(
    store: EventStore, plain_ged: Path
) -> None:
    summary = ingest(store, [plain_ged], "ucdp-ged")
    assert (summary.read, summary.ingested, summary.quarantined) == (1000, 1000, 0)
    assert summary.flagged == 13
    flagged = store.query(
        "SELECT count(*) AS n FROM events WHERE flags = 'best_outside_low_high' "
        "AND (fatalities_best < fatalities_low OR fatalities_best > fatalities_high)"
    )
    assert flagged["n"][0] == 13


def test_the_41_column_syrian_extract_ingests_from_gzip(store: EventStore, syria: Path) -> None:
    summary = ingest(store, [syria], "ucdp-ged")
    assert (summary.read, summary.ingested, summary.quarantined, summary.flagged) == (
        16566,
        16566,
        0,
        101,
    )
    units = store.query("SELECT count(DISTINCT admin1) AS n, min(iso3) AS iso3 FROM events")
    assert units["n"][0] == 14 and units["iso3"][0] == "SYR"


def test_countries_are_mapped_by_gleditsch_ward_number_not_by_name(
    store: EventStore, plain_ged: Path
) -> None:
    ingest(store, [plain_ged], "ucdp-ged")
    found = store.query("SELECT DISTINCT country, gwno, iso3 FROM events").set_index("country")
    assert found.loc["Yemen (North Yemen)", "iso3"] == "YEM"
    assert found.loc["Cambodia (Kampuchea)", "iso3"] == "KHM"
    assert found.loc["Serbia (Yugoslavia)", "iso3"] == "SRB"
    assert found["iso3"].notna().all()


def test_violence_types_and_civilian_deaths_follow_ucdp_codes(
    store: EventStore, plain_ged: Path
) -> None:
    ingest(store, [plain_ged], "ucdp-ged")
    types = store.query("SELECT violence_type, count(*) AS n FROM events GROUP BY 1")
    assert dict(zip(types.violence_type, types.n, strict=True)) == {
        "state_based": 707,
        "non_state": 133,
        "one_sided": 160,
    }
    event = store.query("SELECT * FROM events WHERE source_id = '300380'").iloc[0]
    assert (event.iso3, event.admin1, str(event.date_start)[:10]) == (
        "SYR",
        "Idlib governorate",
        "2013-01-03",
    )
    assert (event.fatalities_best, event.civilian_deaths, event.cown) == (2, 0, 652)


def test_a_file_without_the_ged_columns_is_refused_before_anything_is_written(
    store: EventStore, plain_gdelt: Path
) -> None:
    with pytest.raises(DataError, match="not a ucdp-ged file"):
        ingest(store, [plain_gdelt], "ucdp-ged")
    assert store.stats()["events"] == 0
