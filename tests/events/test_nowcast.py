"""The near-term forecast is judged walk-forward against naive baselines, never on the future."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from vigil.events import EventStore, ingest
from vigil.events.nowcast import Target, comparison, evaluate, forecast, walk_forward
from vigil.events.panels import build_panel
from vigil.events.synthetic import escalation_panel


def test_walk_forward_never_trains_on_the_future() -> None:
    panel = escalation_panel(units=10, months=30, seed=5)
    target = Target("civilian_deaths", 1)
    original = walk_forward(panel, "admin1", target)
    changed = panel.copy()
    late = changed["month"] >= pd.Timestamp("2016-07-01")
    changed.loc[late, "civilian_deaths"] = changed.loc[late, "civilian_deaths"][::-1].to_numpy()
    # predictions made before the changed months (their outcomes included) are unaffected
    cutoff = pd.Timestamp("2016-06-01")
    early = original["month"] < cutoff
    redone = walk_forward(changed, "admin1", target)
    assert (original.loc[early, "model"] == redone.loc[redone["month"] < cutoff, "model"]).all()
    assert early.sum() > 0 and (~early).sum() > 0


def test_on_syria_the_model_beats_both_naive_baselines_on_average_precision(
    store: EventStore, syria: Path
) -> None:
    ingest(store, [syria], "ucdp-ged")
    panel = build_panel(store, "admin1")
    table = evaluate(walk_forward(panel, "admin1", Target("civilian_deaths", 1)))
    ap = table.set_index("method")["average_precision"]
    assert ap["model"] > ap["last_month"] and ap["model"] > ap["rolling_mean"]
    brier = table.set_index("method")["brier"]
    assert brier["model"] < brier["last_month"]


def test_the_comparison_table_covers_both_targets_and_three_horizons() -> None:
    table = comparison(escalation_panel(units=12, months=30, seed=2), "admin1")
    assert set(table["target"]) == {"civilian_deaths", "one_sided"}
    assert set(table["horizon"]) == {1, 2, 3}
    assert set(table["method"]) == {"model", "last_month", "rolling_mean"}
    assert table["average_precision"].between(0, 1).all()


def test_forecast_gives_every_unit_a_probability_for_the_target_month() -> None:
    panel = escalation_panel(units=8, months=24, seed=3)
    result = forecast(panel, "admin1", Target("fatalities_one_sided", 2))
    assert len(result) == 8
    assert (result["target_month"] == pd.Timestamp("2017-02-01")).all()
    assert result["probability"].between(0, 1).all()


def test_a_panel_too_short_to_evaluate_gives_an_empty_row_not_an_error() -> None:
    panel = escalation_panel(units=2, months=6, seed=1)
    table = evaluate(walk_forward(panel, "admin1", Target("civilian_deaths", 1)))
    assert table["n"].tolist() == [0, 0, 0]
    assert table["average_precision"].isna().all()
