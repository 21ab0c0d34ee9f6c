"""Two horizons: the one-year model, the split two-year forecast and their walk-forward test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vigil.errors import UsageError
from vigil.risk.forecast import design_frame
from vigil.risk.horizon import (
    backtest_horizons,
    combine,
    compare_horizons,
    forecast_horizon,
    with_leads,
)
from vigil.risk.table import RiskTable


def test_leads_derived_from_onsets_equal_the_table_columns(table: RiskTable) -> None:
    design = design_frame(table)
    derived = with_leads(design.drop(columns=["mk_onset_1", "mk_onset_2"]))
    for column in ("mk_onset_1", "mk_onset_2"):
        expected = pd.to_numeric(design[column])
        pd.testing.assert_series_equal(derived[column], expected, check_dtype=False)


def test_combine_is_the_chance_of_at_least_one_onset() -> None:
    assert combine(np.array([0.1, 0.0]), np.array([0.2, 0.3])) == pytest.approx([0.28, 0.3])


def test_one_year_forecast_trains_up_to_the_year_before(table: RiskTable) -> None:
    result = forecast_horizon(table, "ewp", 2020, 1, seed=1)
    parameters = result.provenance.parameters
    assert parameters["horizon"] == 1 and parameters["method"] == "one-year"
    assert parameters["training_years"] == [1960, 2019]
    assert list(result.frame.columns) == [
        "country", "ccode", "iso3", "base_year", "model", "probability", "rank"]  # fmt: skip
    two = forecast_horizon(table, "ewp", 2020, 2, seed=1)
    assert two.provenance.parameters["horizon"] == 2
    merged = result.frame.merge(two.frame, on="ccode")
    assert (merged["probability_x"] < merged["probability_y"]).mean() > 0.9
    with pytest.raises(UsageError, match="horizon 3"):
        forecast_horizon(table, "ewp", 2020, 3)


def test_horizon_backtest_combines_the_two_one_year_models(table: RiskTable) -> None:
    result = backtest_horizons(table.frame, ["ewp", "battle"], 2018, 2020, seed=1, n_jobs=1)
    frame = table.frame.set_index(["ccode", "year"])
    one = result.one_year.set_index(["ccode", "base_year"])
    assert (one["outcome"] == frame.loc[one.index, "mk_onset_1"].astype(int)).all()
    keys = ["ccode", "base_year", "model"]
    split = result.split.merge(result.direct, on=keys, suffixes=("", "_direct"))
    assert len(split) == len(result.split) == len(result.direct)
    assert (split["outcome"] == split["outcome_direct"]).all()
    assert not np.allclose(split["probability"], split["probability_direct"])
    scores = compare_horizons(result, n_boot=20, seed=1)
    row = scores["models"]["ewp"]
    assert set(row) == {"one_year", "direct", "split", "split_minus_direct", "use_split"}
    assert row["use_split"] == (row["split_minus_direct"]["within_auc_lo"] > 0
                            and row["split_minus_direct"]["brier"] <= 0)  # fmt: skip


def test_calibrated_forecast_shifts_the_level_and_keeps_the_ranking(table: RiskTable) -> None:
    raw = forecast_horizon(table, "logit", None, 2, seed=1)
    calibrated = forecast_horizon(table, "logit", None, 2, seed=1, calibrated=True)
    assert calibrated.frame["ccode"].tolist() == raw.frame["ccode"].tolist()
    record = calibrated.provenance.parameters["calibration"]
    assert record["method"] == "intercept" and record["shift"] < 0
    assert "≤ 2022" in record["fitted_on"]
    assert calibrated.frame["probability"].mean() < raw.frame["probability"].mean()
    with pytest.raises(UsageError, match="no track-record calibration"):
        forecast_horizon(table, "logit", 1990, 2, seed=1, calibrated=True)
