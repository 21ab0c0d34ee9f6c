"""Ingest is idempotent, replaces newer versions, and quarantines bad rows with file and row."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigil.errors import DataError, UsageError
from vigil.events import EventStore, ingest, ingest_files
from vigil.events.synthetic import GED_COLUMNS, acled_file, ged_file

GOOD_GED = {
    "id": "1",
    "type_of_violence": "3",
    "side_a": "Government of Syria",
    "side_b": "Civilians",
    "adm_1": "Idlib governorate",
    "country": "Syria",
    "country_id": "652",
    "date_prec": "1",
    "date_start": "2016-01-02 00:00:00.000",
    "date_end": "2016-01-02 00:00:00.000",
    "deaths_civilians": "4",
    "best": "4",
    "low": "4",
    "high": "5",
}


def ged_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    """A GED file in the 49-column layout with the given fields (the rest empty)."""
    lines = [",".join(GED_COLUMNS)]
    lines += [",".join(row.get(name, "") for name in GED_COLUMNS) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ingesting_the_same_file_twice_adds_nothing(store: EventStore, ged_gz: Path) -> None:
    first = ingest(store, [ged_gz], "ucdp-ged")
    again = ingest(store, [ged_gz], "ucdp-ged")
    assert first.ingested == 1000
    assert (again.read, again.ingested, again.updated, again.unchanged) == (1000, 0, 0, 1000)
    assert store.stats()["events"] == 1000


def test_a_newer_acled_version_replaces_the_older_and_an_older_one_does_not(
    store: EventStore, tmp_path: Path
) -> None:
    acled_file(tmp_path / "v1.csv", 50, seed=3, timestamp=1_700_000_000)
    acled_file(tmp_path / "v2.csv", 50, seed=4, timestamp=1_800_000_000)
    acled_file(tmp_path / "v0.csv", 50, seed=5, timestamp=1_600_000_000)
    assert ingest(store, [tmp_path / "v1.csv"], "acled").ingested == 50
    newer = ingest(store, [tmp_path / "v2.csv"], "acled")
    assert (newer.ingested, newer.updated) == (0, 50)
    older = ingest(store, [tmp_path / "v0.csv"], "acled")
    assert (older.updated, older.unchanged, older.superseded) == (0, 0, 50)
    versions = store.query("SELECT DISTINCT version FROM events")["version"].tolist()
    assert versions == [1_800_000_000]


def test_duplicates_within_one_file_keep_the_last_row(store: EventStore, tmp_path: Path) -> None:
    path = ged_rows(tmp_path / "dup.csv", [GOOD_GED, {**GOOD_GED, "best": "5"}])
    summary = ingest(store, [path], "ucdp-ged")
    assert (summary.read, summary.ingested, summary.duplicates) == (2, 1, 1)
    assert store.query("SELECT fatalities_best FROM events")["fatalities_best"].tolist() == [5]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"date_start": "2016-13-45 00:00:00.000"}, "unparsable date_start"),
        ({"country_id": "9999", "country": "Atlantis"}, "unknown country: country_id 9999"),
        ({"best": "-3"}, "negative or non-integer best"),
        ({"deaths_civilians": "many"}, "negative or non-integer deaths_civilians"),
        ({"type_of_violence": "7"}, "unknown type_of_violence"),
    ],
)
def test_bad_values_are_quarantined_with_reason_file_and_row(
    store: EventStore, tmp_path: Path, fields: dict[str, str], reason: str
) -> None:
    rows = [GOOD_GED, {**GOOD_GED, "id": "2", **fields}, {**GOOD_GED, "id": "3"}]
    path = ged_rows(tmp_path / "bad.csv", rows)
    summary = ingest(store, [path], "ucdp-ged")
    assert (summary.read, summary.ingested, summary.quarantined) == (3, 2, 1)
    bad = store.quarantine().iloc[0]
    assert reason in bad.reason
    assert (bad.file, bad.row) == (str(path.resolve()), 3)  # line 1 is the header


def test_malformed_lines_are_quarantined_and_the_row_numbers_after_them_stay_right(
    store: EventStore, tmp_path: Path
) -> None:
    path = ged_rows(tmp_path / "mixed.csv", [GOOD_GED])
    good = path.read_bytes().splitlines()[1]
    short = b"4,5,6"
    bad_encoding = good.replace(b"Civilians", b"Civ\xff\xfelians").replace(b"1,", b"5,", 1)
    late_bad = good.replace(b"2016-01-02", b"2016-02-31").replace(b"1,", b"6,", 1)
    lines = [path.read_bytes().splitlines()[0], good, short, bad_encoding, late_bad]
    path.write_bytes(b"\n".join(lines) + b"\n")
    summary = ingest(store, [path], "ucdp-ged")
    assert (summary.read, summary.ingested, summary.quarantined) == (4, 1, 3)
    bad = store.quarantine().set_index("row")["reason"]
    assert bad[3].startswith("wrong field count")
    assert bad[4].startswith("bad encoding")
    assert bad[5].startswith("unparsable date_start")


def test_gzip_is_recognised_by_content_not_by_name(store: EventStore, tmp_path: Path) -> None:
    plain = ged_rows(tmp_path / "x.csv", [GOOD_GED])
    disguised = tmp_path / "disguised.csv"
    disguised.write_bytes(gzip.compress(plain.read_bytes()))
    assert ingest(store, [disguised], "ucdp-ged").ingested == 1


def test_one_unreadable_file_means_nothing_is_written(
    store: EventStore, ged_gz: Path, tmp_path: Path
) -> None:
    with pytest.raises(DataError, match="no such file"):
        ingest(store, [ged_gz, tmp_path / "missing.csv"], "ucdp-ged")
    assert store.stats()["events"] == 0


def test_a_failure_inside_the_transaction_rolls_everything_back(
    store: EventStore, ged_gz: Path, tmp_path: Path
) -> None:
    ingest(store, [ged_gz], "ucdp-ged")
    before = store.query("SELECT count(*) AS n, sum(row_hash::HUGEINT) AS h FROM events")
    broken = tmp_path / "broken.csv.gz"
    header = ",".join(GED_COLUMNS).encode()
    rows = b"\n".join([header] + [b"1," * 48 + b"1"] * 20_000)
    broken.write_bytes(gzip.compress(rows)[:-2000])  # a truncated gzip stream
    ged_file(tmp_path / "more.csv", 100, start_id=10_000_000)
    with pytest.raises(DataError, match=r"broken\.csv\.gz"):
        ingest(store, [tmp_path / "more.csv", broken], "ucdp-ged")
    after = store.query("SELECT count(*) AS n, sum(row_hash::HUGEINT) AS h FROM events")
    assert before.equals(after)


def test_an_unknown_format_is_a_usage_error(store: EventStore, ged_gz: Path) -> None:
    with pytest.raises(UsageError, match="acled, gdelt1, gdelt2, ucdp-ged"):
        ingest(store, [ged_gz], "ged")


FIELD = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\r"), max_size=12
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(st.tuples(FIELD, FIELD, FIELD, FIELD), min_size=1, max_size=5))
def test_every_row_of_arbitrary_text_is_either_ingested_or_quarantined(
    store: EventStore, tmp_path_factory: pytest.TempPathFactory, values: list[tuple[str, ...]]
) -> None:
    rows = [
        {**GOOD_GED, "id": str(i), "date_start": d, "country_id": c, "best": b, "side_a": a}
        for i, (d, c, b, a) in enumerate(values)
    ]
    import csv

    path = tmp_path_factory.mktemp("fuzz") / "fuzz.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=GED_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    try:
        summary = ingest(store, [path], "ucdp-ged")
    except DataError as err:
        assert "no row could be ingested" in str(err)
        return
    assert summary.read == len(rows) == summary.accounted


def test_progress_is_reported_per_step_up_to_100_percent(store: EventStore, ged_gz: Path) -> None:
    seen: list[tuple[str, float]] = []
    ingest(store, [ged_gz], "ucdp-ged", progress=lambda label, done: seen.append((label, done)))
    finals = {label for label, done in seen if done == 100.0}
    assert finals == {"reading ged231-sample-1000.csv.gz", "merging ged231-sample-1000.csv.gz"}


def test_several_files_in_one_call_keep_their_own_quarantine(
    store: EventStore, tmp_path: Path
) -> None:
    first = ged_rows(tmp_path / "a.csv", [GOOD_GED])
    first.write_text(first.read_text() + "1,2,3\n")
    second = ged_rows(tmp_path / "b.csv", [{**GOOD_GED, "id": "9"}])
    second.write_text(second.read_text() + "1,2,3\n4,5\n")
    summary = ingest(store, [first, second], "ucdp-ged")
    assert (summary.read, summary.ingested, summary.quarantined) == (5, 2, 3)
    bad = store.quarantine()
    assert [(Path(f).name, r) for f, r in zip(bad.file, bad.row, strict=True)] == [
        ("a.csv", 3),
        ("b.csv", 3),
        ("b.csv", 4),
    ]


def test_row_numbers_stay_exact_when_a_large_file_is_read_in_parallel(
    store: EventStore, tmp_path: Path
) -> None:
    # 150,000 GED rows (about 40 MB) span several of DuckDB's read buffers, read on both threads.
    lines = ged_file(tmp_path / "big.csv", 150_000).read_bytes().split(b"\n")
    expected: dict[int, str] = {}
    for index in range(7_919, 150_000, 9_973):  # file line index + 1, header is line 1
        kind = len(expected) % 4
        fields = lines[index].split(b",")
        if kind == 0:
            lines[index], reason = b"1,2,3", "wrong field count"
        elif kind == 1:
            lines[index], reason = lines[index].replace(b"Gov", b"G\xff\xfe"), "bad encoding"
        elif kind == 2:
            fields[GED_COLUMNS.index("date_start")] = b"2016-02-31"
            lines[index], reason = b",".join(fields), "unparsable date_start"
        else:
            fields[GED_COLUMNS.index("country_id")] = b"9999"
            lines[index], reason = b",".join(fields), "unknown country"
        expected[index + 1] = reason
    path = tmp_path / "scattered.csv"
    path.write_bytes(b"\n".join(lines))
    summary = ingest(store, [path], "ucdp-ged")
    assert (summary.read, summary.quarantined) == (150_000, len(expected))
    bad = store.quarantine()
    assert dict(zip(bad.row, (r.split(":")[0] for r in bad.reason), strict=True)) == {
        row: reason.split(":")[0] for row, reason in expected.items()
    }
    # rows that parsed keep their raw fields; GED ids here are the line number minus one
    for row, raw in zip(bad.row, bad.raw, strict=True):
        if raw and "|" in raw:
            assert raw.split(" | ")[0] == str(row - 1)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"date_start": "2099-01-01 00:00:00.000", "date_end": "2099-01-01 00:00:00.000"},
         "date_start after today: 2099-01-01"),
        ({"date_end": "2099-03-01 00:00:00.000"}, "date_end after today: 2099-03-01"),
        ({"date_end": "2015-12-30 00:00:00.000"}, "date_end before date_start: 2015-12-30"),
    ],
)  # fmt: skip
def test_impossible_dates_are_quarantined(
    store: EventStore, tmp_path: Path, fields: dict[str, str], reason: str
) -> None:
    path = ged_rows(tmp_path / "dates.csv", [GOOD_GED, {**GOOD_GED, "id": "2", **fields}])
    summary = ingest(store, [path], "ucdp-ged")
    assert (summary.read, summary.ingested, summary.quarantined) == (2, 1, 1)
    bad = store.quarantine().iloc[0]
    assert bad.reason.startswith(reason) and bad.row == 3


@pytest.mark.parametrize(("lat", "lon"), [("999", "36.6"), ("35.9", "-181"), ("nan", "36.6")])
def test_impossible_coordinates_are_cleared_and_flagged_and_the_event_kept(
    store: EventStore, tmp_path: Path, lat: str, lon: str
) -> None:
    row = {**GOOD_GED, "latitude": lat, "longitude": lon, "best": "9", "low": "4"}
    summary = ingest(store, [ged_rows(tmp_path / "far.csv", [row])], "ucdp-ged")
    assert (summary.ingested, summary.flagged, summary.quarantined) == (1, 1, 0)
    event = store.query("SELECT latitude, longitude, flags FROM events").iloc[0]
    assert pd.isna(event.latitude) and pd.isna(event.longitude)
    assert event["flags"].startswith("best_outside_low_high; coordinates_out_of_range: ")


def test_repeated_ids_in_one_file_are_counted_as_duplicates(
    store: EventStore, tmp_path: Path
) -> None:
    rows = [GOOD_GED, {**GOOD_GED, "id": "2"}, {**GOOD_GED, "best": "5"}, GOOD_GED]
    summary = ingest(store, [ged_rows(tmp_path / "dup.csv", rows)], "ucdp-ged")
    assert (summary.read, summary.ingested, summary.duplicates) == (4, 2, 2)
    assert summary.read == summary.accounted


def test_a_gigantic_line_inside_a_gzip_file_is_counted_and_quarantined(
    store: EventStore, tmp_path: Path
) -> None:
    lines = ged_file(tmp_path / "g.csv", 30_000).read_bytes().split(b"\n")
    fields = lines[15_000].split(b",")
    fields[GED_COLUMNS.index("source_article")] = b'"' + b"x" * 6_000_000 + b'"'
    lines[15_000] = b",".join(fields)
    path = tmp_path / "giant.csv.gz"
    path.write_bytes(gzip.compress(b"\n".join(lines), 1))
    summary = ingest(store, [path], "ucdp-ged")
    assert (summary.read, summary.ingested, summary.quarantined) == (30_000, 29_999, 1)
    bad = store.quarantine().iloc[0]
    assert bad.row == 15_001 and bad.reason.startswith("line size over maximum")


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_a_ged_file_with_windows_or_old_mac_line_ends_reads_in_full(
    store: EventStore, plain_ged: Path, newline: bytes
) -> None:
    plain_ged.write_bytes(plain_ged.read_bytes().replace(b"\n", newline))
    summary = ingest(store, [plain_ged], "ucdp-ged")
    assert (summary.read, summary.ingested, summary.quarantined) == (1000, 1000, 0)


@pytest.mark.parametrize(
    "fixture",
    [
        "ged231-sample-1000.csv.gz",
        "ged191-syria-2016-2019.csv.gz",
        "20250807220000.export.CSV.gz",
        "acled/acled-current.csv.gz",
        "acled/acled-2019-2023.csv.gz",
        "acled/acled-2015-2016.csv.gz",
        "acled/acled-api.csv.gz",
        "acled/acled-trimmed.csv.gz",
    ],
)
def test_every_line_of_every_sample_is_accounted_for_twice_over(
    store: EventStore, fixture: str
) -> None:
    path = Path(__file__).parent.parent / "fixtures" / "events" / fixture
    for summary in (ingest_files(store, [path])[0], ingest_files(store, [path])[0]):
        assert summary.read == summary.accounted
    assert summary.unchanged == summary.read - summary.quarantined
