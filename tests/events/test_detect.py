"""Files are recognised by header or field count; near relatives that are not event rows are
refused with one line naming what they look like, and nothing is written."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import pytest

from vigil.errors import DataError
from vigil.events import EventStore, ingest_files

FIXTURES = Path(__file__).parent.parent / "fixtures" / "events"
ACLED = FIXTURES / "acled" / "acled-current.csv.gz"
KNOWN = "Vigil reads UCDP GED (ucdp-ged), ACLED (acled), GDELT 1.0 events (gdelt1), GDELT 2.0"


def gdelt_rows(gdelt_gz: Path) -> list[list[str]]:
    """The real GDELT 2.0 rows, split into fields."""
    text = gzip.decompress(gdelt_gz.read_bytes()).decode("utf-8")
    return [line.split("\t") for line in text.splitlines()]


def mentions_file(gdelt_gz: Path, path: Path) -> Path:
    """A GDELT 2.0 mentions file for the real events (16 fields: one row per mention)."""
    tail = "1\texample.org\t{url}\t1\t-1\t-1\t12\t1\t100\t1500\t-2.5\t\t"
    lines = [f"{r[0]}\t{r[59]}\t{r[59]}\t" + tail.format(url=r[60]) for r in gdelt_rows(gdelt_gz)]
    path.write_text("\n".join(lines) + "\n")
    return path


def gkg_file(gdelt_gz: Path, path: Path) -> Path:
    """A GDELT 2.1 Global Knowledge Graph file (27 fields, record ids like 20250807220000-0)."""
    lines = [
        "\t".join([f"{r[59]}-{i}", r[59], "1", "example.org", r[60], *[""] * 22])
        for i, r in enumerate(gdelt_rows(gdelt_gz))
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


AGGREGATED = (
    "WEEK,REGION,COUNTRY,ADMIN1,EVENT_TYPE,SUB_EVENT_TYPE,EVENTS,FATALITIES,"
    "POPULATION_EXPOSURE,DISORDER_TYPE,ID,CENTROID_LATITUDE,CENTROID_LONGITUDE\n"
    "2024-11-02,Northern Africa,Sudan,North Darfur,Battles,Armed clash,14,63,,"
    "Political violence,1,13.9,24.9\n"
)
ACD = (
    "conflict_id,location,side_a,side_a_id,side_a_2nd,side_b,side_b_id,side_b_2nd,incompatibility,"
    "territory_name,year,intensity_level,cumulative_intensity,type_of_conflict,start_date,"
    "start_prec,start_date2,start_prec2,ep_end,ep_end_date,ep_end_prec,gwno_a,gwno_a_2nd,gwno_b,"
    "gwno_b_2nd,gwno_loc,region,version\n"
    "11342,India,Government of India,141,,GNLA,1163,,1,Garoland,2012,1,0,3,2012-06-01,,"
    "2012-06-01,,0,,,750,,,,750,3,20.1\n"
)


def refused(store: EventStore, path: Path, fmt: str | None = None) -> str:
    """The one-line error for ``path``, after checking that nothing was written."""
    with pytest.raises(DataError) as caught:
        ingest_files(store, [path], fmt)
    assert store.stats()["events"] == 0
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


def test_a_gdelt_mentions_file_is_named_and_refused(
    store: EventStore, gdelt_gz: Path, tmp_path: Path
) -> None:
    path = mentions_file(gdelt_gz, tmp_path / "20250807220000.mentions.CSV")
    message = refused(store, path)
    assert "GDELT 2.0 mentions file" in message and KNOWN in message
    assert "not a gdelt2 file: it looks like a GDELT 2.0 mentions" in refused(store, path, "gdelt2")


def test_a_gdelt_knowledge_graph_file_is_named_and_refused(
    store: EventStore, gdelt_gz: Path, tmp_path: Path
) -> None:
    path = gkg_file(gdelt_gz, tmp_path / "20250807220000.gkg.csv")
    assert "Global Knowledge Graph" in refused(store, path, "gdelt2")


def test_an_aggregated_acled_table_is_named_and_refused(store: EventStore, tmp_path: Path) -> None:
    path = tmp_path / "Africa_aggregated_data_up_to-2024-11-02.csv"
    path.write_text(AGGREGATED)
    assert "aggregated ACLED table" in refused(store, path, "acled")


def test_a_ucdp_conflict_year_table_is_named_and_refused(store: EventStore, tmp_path: Path) -> None:
    path = tmp_path / "ucdp-prio-acd-201.csv"
    path.write_text(ACD)
    assert "UCDP/PRIO Armed Conflict Dataset" in refused(store, path)


@pytest.mark.parametrize(
    ("fixture", "given", "looks_like"),
    [
        ("ged231-sample-1000.csv.gz", "gdelt2", "UCDP GED"),
        ("ged231-sample-1000.csv.gz", "acled", "UCDP GED"),
        ("20250807220000.export.CSV.gz", "ucdp-ged", "GDELT 2.0 events"),
        ("20250807220000.export.CSV.gz", "gdelt1", "GDELT 2.0 events"),
        ("acled/acled-current.csv.gz", "ucdp-ged", "ACLED"),
    ],
)
def test_a_file_given_as_another_format_is_refused_naming_what_it_is(
    store: EventStore, fixture: str, given: str, looks_like: str
) -> None:
    message = refused(store, FIXTURES / fixture, given)
    assert re.search(f"not a {given} file: it looks like {looks_like}", message)


@pytest.mark.parametrize(
    ("fixture", "fmt", "read"),
    [
        ("ged231-sample-1000.csv.gz", "ucdp-ged", 1000),
        ("ged191-syria-2016-2019.csv.gz", "ucdp-ged", 16566),
        ("20250807220000.export.CSV.gz", "gdelt2", 909),
        ("acled/acled-2015-2016.csv.gz", "acled", 24),
    ],
)
def test_without_format_each_real_file_is_recognised(
    store: EventStore, fixture: str, fmt: str, read: int
) -> None:
    (summary,) = ingest_files(store, [FIXTURES / fixture])
    assert (summary.format, summary.read) == (fmt, read)
    assert summary.read == summary.accounted


def test_files_of_different_formats_ingest_in_one_call(store: EventStore) -> None:
    files = [FIXTURES / "ged231-sample-1000.csv.gz", FIXTURES / "20250807220000.export.CSV.gz",
             ACLED]  # fmt: skip
    summaries = ingest_files(store, files)
    assert [s.format for s in summaries] == ["ucdp-ged", "gdelt2", "acled"]
    assert store.stats()["by_source"] == {"acled": 24, "gdelt2": 884, "ucdp-ged": 1000}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"id,relid,year,type_of_violence,side_a,side_b,country,country_id,date_start,date_end,"
         b"best,low,high\n", "no event rows"),
        (b"name,value\nalpha,1\n", "a table of 2 columns starting name, value"),
    ],
)  # fmt: skip
def test_an_empty_or_foreign_file_is_an_error(
    store: EventStore, tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "ged231-x.csv"
    path.write_bytes(content)
    assert reason in refused(store, path)


def test_a_file_whose_every_row_is_bad_is_an_error_naming_the_first(
    store: EventStore, tmp_path: Path
) -> None:
    path = tmp_path / "acled.csv"
    with gzip.open(ACLED, "rt", encoding="utf-8") as source:
        lines = source.read().splitlines()
    sudan = [line.replace(",729,", ",999,") for line in lines[1:] if ",729," in line]
    path.write_text("\n".join([lines[0], *sudan]) + "\n")
    message = refused(store, path)
    assert "no row could be ingested: all 4 rows are bad" in message
    assert "unknown country: iso 999" in message and "(row 2)" in message


def test_a_missing_file_stops_the_whole_call(store: EventStore, tmp_path: Path) -> None:
    shutil.copy(ACLED, tmp_path / "a.csv.gz")
    with pytest.raises(DataError, match="no such file"):
        ingest_files(store, [tmp_path / "a.csv.gz", tmp_path / "missing.csv"])
    assert store.stats()["events"] == 0
