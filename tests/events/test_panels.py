"""Panels are complete unit-month grids; the Dask engine builds the same panels as DuckDB."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from vigil.events import EventStore, ingest
from vigil.events.panels import build_panel, measure_columns
from vigil.events.synthetic import acled_file, ged_file


def test_the_syrian_admin1_panel_is_14_governorates_by_47_months(
    store: EventStore, syria: Path
) -> None:
    ingest(store, [syria], "ucdp-ged")
    panel = build_panel(store, "admin1")
    assert panel["admin1"].nunique() == 14
    assert len(panel) == 14 * 47
    assert panel.groupby("admin1").size().eq(47).all()
    # the issue's own count: 177 governorate-months followed by 25+ civilian deaths
    following = panel.groupby("admin1")["civilian_deaths"].shift(-1)
    assert int((following >= 25).sum()) == 177


def test_months_without_events_are_rows_of_zeros(store: EventStore, ged_gz: Path) -> None:
    ingest(store, [ged_gz], "ucdp-ged")
    panel = build_panel(store, "country")
    events = store.query("SELECT count(*) AS n, sum(civilian_deaths) AS c FROM events")
    assert panel["events"].sum() == events["n"][0]
    assert panel["civilian_deaths"].sum() == events["c"][0]
    months = pd.date_range(panel["month"].min(), panel["month"].max(), freq="MS")
    assert len(panel) == panel["iso3"].nunique() * len(months)
    assert (panel["events"] == 0).sum() > 0


def test_counts_split_by_violence_type_and_perpetrators_are_distinct_actors(
    store: EventStore, syria: Path
) -> None:
    ingest(store, [syria], "ucdp-ged")
    panel = build_panel(store, "country")
    kinds = ["state_based", "non_state", "one_sided", "protest_riot", "other"]
    assert (panel[[f"events_{k}" for k in kinds]].sum(axis=1) == panel["events"]).all()
    row = panel[panel["month"] == "2017-03-01"].iloc[0]
    expected = store.query(
        "SELECT count(DISTINCT actor1) AS p, count(DISTINCT admin1) AS a FROM events "
        "WHERE month = DATE '2017-03-01'"
    )
    assert (row["perpetrators"], row["admin1_units"]) == (expected["p"][0], expected["a"][0])


@pytest.mark.parametrize("level", ["country", "admin1"])
def test_dask_and_duckdb_build_identical_panels(
    store: EventStore, tmp_path: Path, level: str
) -> None:
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    from vigil.events.engine import dask_panel

    ingest(store, [ged_file(tmp_path / "g.csv", 20_000, seed=2)], "ucdp-ged")
    ingest(store, [acled_file(tmp_path / "a.csv", 20_000, seed=3)], "acled")
    local = build_panel(store, level)  # type: ignore[arg-type]
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    with cluster, Client(cluster) as client:
        distributed = dask_panel(store, level, ("ucdp-ged", "acled"), client)  # type: ignore[arg-type]
    assert list(distributed.columns) == list(local.columns)
    assert len(local) > 100
    pd.testing.assert_frame_equal(distributed, local)


def test_dask_and_duckdb_ingest_identically(tmp_path: Path, syria: Path) -> None:
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    bad = tmp_path / "bad.csv"
    lines = ged_file(tmp_path / "g.csv", 500, seed=4).read_text().splitlines()
    lines[10] = "1,2,3"
    bad.write_text("\n".join(lines) + "\n")
    local, remote = EventStore(tmp_path / "l.duckdb"), EventStore(tmp_path / "r.duckdb")
    ingest(local, [syria, bad], "ucdp-ged")
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    with cluster, Client(cluster) as client:
        ingest(remote, [syria, bad], "ucdp-ged", client=client)
    content = "SELECT * EXCLUDE (ingested_at) FROM events ORDER BY source_id"
    assert local.query(content).equals(remote.query(content))
    bad_rows = "SELECT file, row, reason FROM quarantine ORDER BY row"
    assert local.query(bad_rows).equals(remote.query(bad_rows))
    assert len(local.query(bad_rows)) == 1
    assert measure_columns("admin1")[0] == "events"
