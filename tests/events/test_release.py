"""GED releases: read from --release or the file name; newer replaces older, never the reverse,
and a final release replaces the candidate events it covers."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.errors import UsageError
from vigil.events import EventStore, ingest_files
from vigil.events.release import Release, parse_release, release_from_name

FIXTURES = Path(__file__).parent.parent / "fixtures" / "events"


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("ged231-csv.zip", "23.1"),
        ("ged231-sample-1000.csv", "23.1"),
        ("ged191-syria-2016-2019.csv.gz", "19.1"),
        ("GEDEvent_v25_1.csv", "25.1"),
        ("GEDEvent_v25_0_10.csv", "25.0.10"),
        ("gedevent_v24_0_3.csv.gz", "24.0.3"),
        ("events.csv", None),
    ],
)
def test_the_release_is_read_from_ucdp_file_names(name: str, label: str | None) -> None:
    found = release_from_name(name)
    assert (found.label if found else None) == label


def test_releases_order_candidates_before_the_final_release_that_covers_them() -> None:
    order = ["19.1", "23.1", "24.0.1", "24.0.12", "24.1", "25.0.10", "25.1"]
    stamps = [parse_release(label).stamp for label in order]
    assert stamps == sorted(stamps)
    assert parse_release("v25_0_10") == Release(25, 0, 10) and Release(25, 0, 10).candidate


@pytest.mark.parametrize("text", ["latest", "2023", "23.1.1.1", ""])
def test_a_malformed_release_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match=r"--release must look like 23\.1"):
        parse_release(text)


def test_an_older_release_never_replaces_a_newer_one(store: EventStore) -> None:
    newer = ingest_files(store, [FIXTURES / "ged231-sample-1000.csv.gz"])[0]
    older = ingest_files(store, [FIXTURES / "ged191-syria-2016-2019.csv.gz"])[0]
    assert (newer.release, older.release) == ("23.1", "19.1")
    assert (older.read, older.ingested, older.superseded, older.updated) == (16566, 16524, 42, 0)
    shared = store.query(
        "SELECT DISTINCT release FROM events WHERE source_id IN (SELECT source_id FROM events "
        "WHERE release = '23.1') AND iso3 = 'SYR' AND year(date_start) BETWEEN 2016 AND 2019"
    )
    assert shared["release"].tolist() == ["23.1"]


def test_a_newer_release_replaces_the_older_whatever_the_order(store: EventStore) -> None:
    older = ingest_files(store, [FIXTURES / "ged191-syria-2016-2019.csv.gz"])[0]
    newer = ingest_files(store, [FIXTURES / "ged231-sample-1000.csv.gz"])[0]
    assert older.ingested == 16566
    assert (newer.ingested, newer.updated, newer.superseded) == (958, 42, 0)
    assert store.stats()["events"] == 16566 + 958
    versions = store.query("SELECT release, count(*) AS n FROM events GROUP BY 1 ORDER BY 1")
    assert versions.to_dict("list") == {"release": ["19.1", "23.1"], "n": [16524, 1000]}


def test_a_final_release_replaces_candidate_events_and_the_candidate_cannot_come_back(
    store: EventStore, tmp_path: Path
) -> None:
    candidate = tmp_path / "GEDEvent_v24_0_6.csv"
    with gzip.open(FIXTURES / "ged231-sample-1000.csv.gz", "rb") as source:
        candidate.write_bytes(source.read())
    final = tmp_path / "GEDEvent_v24_1.csv"
    shutil.copy(candidate, final)
    assert ingest_files(store, [candidate])[0].release == "24.0.6"
    replaced = ingest_files(store, [final])[0]
    assert (replaced.release, replaced.updated) == ("24.1", 1000)
    again = ingest_files(store, [candidate])[0]
    assert (again.superseded, again.updated) == (1000, 0)
    assert store.query("SELECT DISTINCT release FROM events")["release"].tolist() == ["24.1"]


def test_the_release_option_overrides_the_file_name(store: EventStore) -> None:
    (summary,) = ingest_files(store, [FIXTURES / "ged231-sample-1000.csv.gz"], release="25.0.10")
    assert summary.release == "25.0.10"
    assert store.query("SELECT DISTINCT version FROM events")["version"].tolist() == [250010]


def test_a_ged_file_without_a_release_is_older_than_any_named_release(
    store: EventStore, tmp_path: Path
) -> None:
    unnamed = tmp_path / "events.csv.gz"
    shutil.copy(FIXTURES / "ged231-sample-1000.csv.gz", unnamed)
    ingest_files(store, [FIXTURES / "ged231-sample-1000.csv.gz"])
    (summary,) = ingest_files(store, [unnamed])
    assert (summary.release, summary.superseded) == (None, 1000)


@given(
    major=st.integers(10, 99),
    minor=st.integers(0, 9),
    month=st.integers(0, 12),
    suffix=st.sampled_from([".csv", ".csv.gz", "_csv.zip", "-sample.csv"]),
)
def test_every_release_label_and_ucdp_file_name_round_trips(
    major: int, minor: int, month: int, suffix: str
) -> None:
    release = Release(major, minor, month if minor == 0 else 0)
    assert parse_release(release.label) == release
    parts = [str(major), str(minor)] + ([str(month)] if release.candidate else [])
    assert release_from_name("GEDEvent_v" + "_".join(parts) + suffix) == release
    if not release.candidate:
        assert release_from_name(f"ged{major}{minor}{suffix}") == release
