"""The walk-forward backtest never trains on the future and is reproducible."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.errors import UsageError
from vigil.risk.backtest import PREDICTION_COLUMNS, WalkForwardSplit, run_backtest
from vigil.risk.features import FUTURE_OUTCOMES
from vigil.risk.table import EWP_PREDICTORS


@given(
    years=st.lists(st.integers(1960, 2024), min_size=1, max_size=200),
    start=st.integers(1960, 2024),
    length=st.integers(0, 30),
    gap=st.integers(1, 3),
)
def test_no_training_row_is_later_than_base_year_minus_gap(years, start, length, gap):
    X = pd.DataFrame({"year": years})
    splitter = WalkForwardSplit(start, start + length, gap)
    splits = list(splitter.split(X))
    assert len(splits) == splitter.get_n_splits(X)
    for (train, test), base in zip(splits, splitter.base_years(X), strict=True):
        assert (X["year"].to_numpy()[train] <= base - gap).all()
        assert (X["year"].to_numpy()[test] == base).all()
        assert len(test) == (X["year"] == base).sum()


def scramble_future(frame: pd.DataFrame, base_year: int, seed: int = 0) -> pd.DataFrame:
    """Change everything not known at ``base_year``: later rows, and outcomes after it."""
    rng = np.random.default_rng(seed)
    changed = frame.copy()
    later = changed["year"] > base_year
    for column in EWP_PREDICTORS:
        if column != "year":
            changed.loc[later, column] = rng.permutation(changed.loc[later, column].to_numpy())
    changed.loc[later, "mk_onset"] = rng.integers(0, 2, later.sum())
    unknown = changed["year"] >= base_year - 1  # their two-year outcome ends after base_year
    for column in FUTURE_OUTCOMES:
        changed.loc[unknown, column] = rng.integers(0, 2, unknown.sum())
    return changed


@pytest.mark.parametrize("base_year", [1999, 2012])
def test_forecasts_at_t_do_not_change_when_the_future_changes(table, base_year):
    models = ["logit", "boost"]
    before = run_backtest(table.frame, models, base_year, base_year, n_jobs=1)
    after = run_backtest(scramble_future(table.frame, base_year), models, base_year, base_year,
                         n_jobs=1)  # fmt: skip
    pd.testing.assert_series_equal(before["probability"], after["probability"])


def test_same_seed_gives_identical_predictions_in_parallel_or_not(table):
    first = run_backtest(table.frame, ["ensemble"], 2010, 2011, random_state=7, n_jobs=2)
    second = run_backtest(table.frame, ["ensemble"], 2010, 2011, random_state=7, n_jobs=1)
    pd.testing.assert_frame_equal(first, second)


def test_predictions_cover_every_complete_country_year_once_per_model(table):
    result = run_backtest(table.frame, ["battle", "ongoing"], 2019, 2020, n_jobs=1)
    assert tuple(result.columns) == PREDICTION_COLUMNS
    frame = table.frame
    complete = frame[
        frame["year"].between(2019, 2020) & frame[list(EWP_PREDICTORS)].notna().all(axis=1)
    ]
    assert len(result) == 2 * len(complete)
    assert not result.duplicated(["model", "ccode", "base_year"]).any()
    assert result["probability"].between(0, 1).all()
    assert set(result["outcome"]) <= {0, 1}


def test_the_walk_forward_design_scores_4864_country_years_and_72_onsets(table):
    result = run_backtest(table.frame, ["ongoing"], 1993, 2022, n_jobs=1)
    assert (len(result), int(result["outcome"].sum())) == (4864, 72)


@pytest.mark.parametrize(
    ("models", "start", "end", "message"),
    [
        (["nope"], 2000, 2001, "unknown model"),
        (["battle"], 2001, 2000, "after --end"),
        (["battle"], 2000, 2023, "too recent"),
        (["battle"], 1961, 1970, "too little history"),
    ],
)
def test_impossible_requests_raise_usage_errors(table, models, start, end, message):
    with pytest.raises(UsageError, match=message):
        run_backtest(table.frame, models, start, end, n_jobs=1)
