"""Reporting gaps: a constructed blackout in real UCDP GED data for Syria is flagged; the real,
unaltered series is not."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from vigil.events import EventStore, ingest
from vigil.events.gaps import nb_lower_tail, reporting_gaps
from vigil.events.signals import monitor


def without(source: Path, target: Path, where: str) -> Path:
    """A copy of a GED file without the rows matching ``where`` (SQL over its text columns)."""
    scan = f"read_csv('{source}', all_varchar=true, header=true)"
    duckdb.sql(f"COPY (SELECT * FROM {scan} WHERE NOT ({where})) TO '{target}' (HEADER)")
    return target


@pytest.fixture
def blackout(store: EventStore, syria: Path, tmp_path: Path) -> EventStore:
    """Syria 2016–2019 with September 2019 silent and November 2019 reduced to its last day."""
    cut = "left(date_start, 7) = '2019-09' OR (left(date_start, 7) = '2019-11' "
    cut += "AND left(date_start, 10) < '2019-11-30')"
    ingest(store, [without(syria, tmp_path / "blackout.csv", cut)], "ucdp-ged")
    return store


def test_a_near_silent_latest_month_is_a_moderate_reporting_gap(blackout: EventStore) -> None:
    (gap,) = reporting_gaps(blackout)
    assert (gap.iso3, gap.source, gap.month, gap.severity) == (
        "SYR",
        "ucdp-ged",
        "2019-11",
        "moderate",
    )
    assert gap.value <= 0.25 * gap.expected and gap.p_value < 0.01
    assert gap.last_event == "2019-11-30"


def test_a_silent_month_with_violence_before_is_a_high_reporting_gap(blackout: EventStore) -> None:
    (gap,) = reporting_gaps(blackout, "2019-09")
    assert (gap.value, gap.severity) == (0, "high")
    assert gap.expected > 100
    assert "possible blackout" in gap.describe()


def test_the_unaltered_series_raises_no_gap_in_any_month(store: EventStore, syria: Path) -> None:
    ingest(store, [syria], "ucdp-ged")
    months = pd.period_range("2016-07", "2019-11", freq="M").astype(str)
    assert [g for m in months for g in reporting_gaps(store, m)] == []


def test_a_partial_latest_month_is_judged_on_the_days_it_covers(
    store: EventStore, syria: Path, tmp_path: Path
) -> None:
    """Data through 2019-11-10 are a third of a month: no gap for a third of the volume."""
    ingest(
        store, [without(syria, tmp_path / "early.csv", "date_start >= '2019-11-11'")], "ucdp-ged"
    )
    assert reporting_gaps(store) == []


def test_reporting_gaps_appear_beside_escalation_signals(blackout: EventStore) -> None:
    signals = monitor(blackout, "2019-09", forecasts=False)
    gaps = [s for s in signals if s.signal == "reporting_gap:ucdp-ged"]
    assert [(s.iso3, s.severity, s.value) for s in gaps] == [("SYR", "high", 0.0)]


def test_the_lower_tail_is_poisson_without_overdispersion() -> None:
    from scipy import stats

    tail = nb_lower_tail(
        pd.Series([2.0]).to_numpy(), pd.Series([10.0]).to_numpy(), pd.Series([5.0]).to_numpy()
    )
    assert tail[0] == pytest.approx(stats.poisson.cdf(2, 10))
