"""ACLED exports (synthetic: ACLED's rows may not be redistributed) map to the event model."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigil.events import EventStore, ingest, ingest_files
from vigil.events.acled import COLUMNS, layout_of
from vigil.events.synthetic import acled_file


def acled_row(path: Path, rows: int = 1, **fields: str) -> Path:
    """An ACLED file of synthetic rows, the first with some fields replaced."""
    acled_file(path, rows)
    header, row, *rest = path.read_text().splitlines()
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


LAYOUTS = Path(__file__).parent.parent / "fixtures" / "events" / "acled"
# file: (layout, encoding, newline, delimiter, {violence type: events}, civilian-targeted events)
EVERY_LAYOUT = {
    "acled-current.csv.gz": (
        "acled-current", "utf-8", "lf", "comma",
        {"state_based": 9, "one_sided": 3, "protest_riot": 9, "other": 3}, 9,
    ),
    "acled-2019-2023.csv.gz": (
        "acled-2019-2023", "utf-8", "lf", "comma",
        {"state_based": 9, "one_sided": 3, "protest_riot": 9, "other": 3}, 9,
    ),
    "acled-2015-2016.csv.gz": (
        "acled-2015-2016", "cp1252", "crlf", "comma",
        {"state_based": 9, "one_sided": 3, "protest_riot": 9, "other": 3}, 6,
    ),
    "acled-api.csv.gz": (
        "acled-api", "utf-8", "lf", "comma",
        {"state_based": 9, "one_sided": 3, "protest_riot": 9, "other": 3}, 9,
    ),
    "acled-trimmed.csv.gz": (
        "acled-trimmed", "cp1252", "crlf", "semicolon",
        {"state_based": 6, "non_state": 3, "one_sided": 3, "protest_riot": 9, "other": 3}, 9,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EVERY_LAYOUT))
def test_every_acled_layout_is_recognised_and_read_in_full(store: EventStore, name: str) -> None:
    layout, encoding, newline, delimiter, types, targeted = EVERY_LAYOUT[name]
    (summary,) = ingest_files(store, [LAYOUTS / name])
    assert (summary.format, summary.layout) == ("acled", layout)
    assert (summary.read, summary.ingested, summary.quarantined) == (24, 24, 0)
    assert summary.dialect["encoding"] == encoding
    assert (summary.dialect["newline"], summary.dialect["delimiter"]) == (newline, delimiter)
    found = store.query("SELECT violence_type, count(*) AS n FROM events GROUP BY 1")
    assert dict(zip(found.violence_type, found.n, strict=True)) == types
    events = store.query("SELECT * FROM events")
    assert int(events["civilian_targeting"].sum()) == targeted
    assert events["iso3"].notna().all() and events["latitude"].notna().all()
    assert set(events["layout"]) == {layout}
    assert events["date_start"].notna().all()


def test_the_2015_layout_reads_latin1_names_and_day_first_dates(store: EventStore) -> None:
    ingest_files(store, [LAYOUTS / "acled-2015-2016.csv.gz"])
    event = store.query("SELECT * FROM events WHERE source_id = 'CIV1004'").iloc[0]
    assert (event.country, event.iso3, event.gwno) == ("Côte d'Ivoire", "CIV", 437)
    assert event.admin1 == "Abidjan" and event.actor1 == "Military Forces of Côte d'Ivoire"
    mali = store.query("SELECT admin1, date_start FROM events WHERE source_id = 'MLI1003'")
    assert mali["admin1"][0] == "Ségou"
    assert str(mali["date_start"][0])[:10] == "2015-04-22"  # written 22/04/2015


def test_older_layouts_get_civilian_targeting_and_disorder_type_derived(
    store: EventStore,
) -> None:
    ingest_files(store, [LAYOUTS / "acled-current.csv.gz", LAYOUTS / "acled-2019-2023.csv.gz"])
    derived = store.query(
        "SELECT substr(source_id, 5) AS n, layout, civilian_targeting, disorder_type "
        "FROM events ORDER BY n, layout"
    )
    given = derived[derived.layout == "acled-current"].set_index("n")
    made = derived[derived.layout == "acled-2019-2023"].set_index("n")
    assert len(given) == len(made) == 24
    assert given["civilian_targeting"].equals(made["civilian_targeting"])
    assert given["disorder_type"].equals(made["disorder_type"])


def test_text_and_numeric_actor_types_give_the_same_violence_types(store: EventStore) -> None:
    ingest_files(store, [LAYOUTS / "acled-api.csv.gz", LAYOUTS / "acled-2019-2023.csv.gz"])
    kinds = store.query(
        "SELECT layout, violence_type, count(*) AS n FROM events GROUP BY ALL ORDER BY ALL"
    )
    by_layout = {
        k: dict(zip(g.violence_type, g.n, strict=True)) for k, g in kinds.groupby("layout")
    }
    assert by_layout["acled-api"] == by_layout["acled-2019-2023"]


def test_acled_dates_written_as_day_month_name_year_parse(store: EventStore) -> None:
    ingest_files(store, [LAYOUTS / "acled-api.csv.gz"])
    first = store.query("SELECT date_start FROM events WHERE source_id = 'SDNA1000'")
    assert str(first["date_start"][0])[:10] == "2024-01-01"  # written "01 January 2024"


@pytest.mark.parametrize(
    ("fields", "layout"),
    [
        (["event_id_cnty", "event_date", "event_type", "fatalities", "iso"], "acled-trimmed"),
        (["iso3", "event_type", "event_id_cnty", "fatalities", "event_date", "extra"], "acled-api"),
        (
            ["GWNO", "EVENT_ID_CNTY", "EVENT_DATE", "EVENT_TYPE", "FATALITIES", "", ""],
            "acled-trimmed",
        ),
    ],
)
def test_layout_families_are_told_apart_by_header(fields: list[str], layout: str) -> None:
    assert layout_of(fields) == layout


OPTIONAL = tuple(sorted(set(COLUMNS) - {"event_id_cnty", "event_date", "event_type", "fatalities",
                                         "iso"}))  # fmt: skip
COMPARED = "source_id, date_start, iso3, violence_type, fatalities_best, civilian_targeting"
_BASELINE: dict[Path, pd.DataFrame] = {}


def _current_rows() -> list[dict[str, str]]:
    with gzip.open(LAYOUTS / "acled-current.csv.gz", "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.permutations(COLUMNS), dropped=st.sets(st.sampled_from(OPTIONAL), max_size=6))
def test_any_column_order_or_cut_of_the_export_yields_the_same_events(
    tmp_path_factory: pytest.TempPathFactory, order: list[str], dropped: set[str]
) -> None:
    folder = tmp_path_factory.mktemp("order")
    columns = [name for name in order if name not in dropped]
    path = folder / "api.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(_current_rows())
    store = EventStore(folder / "events.duckdb")
    (summary,) = ingest_files(store, [path])
    assert (summary.read, summary.ingested) == (24, 24)
    found = store.query(f"SELECT {COMPARED} FROM events ORDER BY source_id")
    expected = _baseline_events(tmp_path_factory.getbasetemp())
    for column in ("source_id", "date_start", "iso3", "fatalities_best"):
        assert found[column].equals(expected[column])
    if not dropped & {"inter1", "inter2"}:
        assert found["violence_type"].equals(expected["violence_type"])
    if not dropped & {"civilian_targeting", "inter2", "sub_event_type"}:
        assert found["civilian_targeting"].equals(expected["civilian_targeting"])


def _baseline_events(folder: Path) -> pd.DataFrame:
    if folder not in _BASELINE:
        store = EventStore(folder / "acled-baseline.duckdb")
        ingest_files(store, [LAYOUTS / "acled-current.csv.gz"])
        _BASELINE[folder] = store.query(f"SELECT {COMPARED} FROM events ORDER BY source_id")
    return _BASELINE[folder]
