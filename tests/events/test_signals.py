"""Escalation signals fire on surges far above a unit's own baseline and on violence from none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vigil.events import EventStore, ingest
from vigil.events.signals import detect, latest_signals, monitor, nb_upper_tail


def unit_panel(values: list[int], column: str = "civilian_deaths") -> pd.DataFrame:
    """A one-unit admin1 panel with the given monthly values of ``column`` (others follow)."""
    months = pd.date_range("2020-01-01", periods=len(values), freq="MS")
    frame = pd.DataFrame({"iso3": "SYR", "admin1": "Idlib", "month": months})
    measures = ["civilian_deaths", "fatalities", "events_state_based", "events_non_state"]
    for name in [*measures, "events_one_sided"]:
        frame[name] = 0
    frame[column] = values
    frame["fatalities"] = frame[["fatalities", "civilian_deaths"]].max(axis=1)
    frame["events_one_sided"] = (frame["fatalities"] > 0).astype(int)
    return frame


def test_the_negative_binomial_tail_is_wider_than_poisson_for_bursty_windows() -> None:
    value, mean = np.array([30.0]), np.array([5.0])
    poisson = nb_upper_tail(value, mean, np.array([5.0]))
    bursty = nb_upper_tail(value, mean, np.array([80.0]))
    assert poisson[0] < 1e-8 < bursty[0] < 0.2


def test_a_month_far_above_a_steady_baseline_is_a_surge() -> None:
    panel = unit_panel([5, 6, 4, 5, 7, 5, 6, 4, 5, 6, 5, 4, 60])
    found = detect(panel, "admin1", pd.Timestamp("2021-01-01"))
    surge = found[found["signal"] == "civilian_deaths_surge"].iloc[0]
    assert surge["value"] == 60 and surge["baseline"] == pytest.approx(5.1667, abs=1e-3)
    assert surge["severity"] in {"high", "critical"}


def test_the_same_month_is_no_surge_after_a_volatile_year() -> None:
    panel = unit_panel([0, 80, 2, 0, 95, 1, 0, 70, 3, 0, 60, 2, 60])
    found = detect(panel, "admin1", pd.Timestamp("2021-01-01"))
    assert "civilian_deaths_surge" not in set(found["signal"])


def test_violence_in_a_unit_quiet_for_a_year_is_emergence() -> None:
    panel = unit_panel([0] * 12 + [3])
    found = detect(panel, "admin1", pd.Timestamp("2021-01-01"))
    assert found["signal"].tolist() == ["violence_emergence"]
    assert found["severity"].tolist() == ["moderate"]


def test_monitor_finds_the_raqqa_offensive_with_the_events_behind_it(
    store: EventStore, syria: Path
) -> None:
    ingest(store, [syria], "ucdp-ged")
    signals = monitor(store, "2017-03", forecasts=False)
    raqqa = [
        s
        for s in signals
        if s.admin1 == "Ar Raqqah Governorate" and s.signal == "civilian_deaths_surge"
    ]
    assert len(raqqa) == 1
    signal = raqqa[0]
    assert (signal.iso3, signal.month, signal.severity) == ("SYR", "2017-03", "critical")
    assert (
        signal.value == 442 and signal.baseline is not None and signal.value > 5 * signal.baseline
    )
    assert signal.events and all(e.startswith("ucdp-ged:") for e in signal.events)


def test_monitor_forecasts_look_one_to_three_months_ahead(store: EventStore, syria: Path) -> None:
    ingest(store, [syria], "ucdp-ged")
    signals = monitor(store, "2018-06", min_probability=0.0)
    forecasts = [s for s in signals if s.signal.startswith("forecast_")]
    assert {s.month for s in forecasts} == {"2018-07", "2018-08", "2018-09"}
    assert all(s.probability is not None and 0 <= s.probability <= 1 for s in forecasts)
    assert {s.signal for s in forecasts} >= {
        "forecast_civilian_deaths_25_h1",
        "forecast_one_sided_25_h3",
    }


def test_latest_signals_are_newest_first_for_one_country(store: EventStore, syria: Path) -> None:
    ingest(store, [syria], "ucdp-ged")
    latest = latest_signals(store, "SYR", n=5)
    assert len(latest) == 5
    months = [s.month for s in latest]
    assert months == sorted(months, reverse=True)
    assert latest_signals(store, "NOR") == []


def test_an_empty_store_gives_no_signals(store: EventStore) -> None:
    assert monitor(store) == []
