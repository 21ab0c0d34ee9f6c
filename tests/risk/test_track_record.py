"""Calibration from the track record: corrections use only forecasts with known outcomes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vigil.risk.track_record import METHODS, expit, fit_correction, logit, recalibrate


def _predictions(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    years = np.repeat(np.arange(1990, 2010), 50)
    z = rng.normal(-3, 1, size=len(years))
    outcome = (rng.random(len(years)) < expit(z - 1.2)).astype(int)  # the model over-predicts
    return pd.DataFrame({"model": "m", "ccode": np.tile(np.arange(50), 20), "base_year": years,
                         "probability": expit(z), "outcome": outcome})  # fmt: skip


def test_intercept_matches_the_observed_rate_of_the_history() -> None:
    frame = _predictions()
    correct = fit_correction(frame["probability"].to_numpy(), frame["outcome"].to_numpy(),
                             "intercept")  # fmt: skip
    assert correct(frame["probability"].to_numpy()).mean() == pytest.approx(frame["outcome"].mean())


@pytest.mark.parametrize("method", METHODS)
def test_a_forecast_never_sees_outcomes_after_its_base_year_minus_two(method: str) -> None:
    frame = _predictions()
    before = recalibrate(frame, method)
    flipped = frame.copy()
    late = flipped["base_year"] >= 2004  # outcomes unknown at base year 2005
    flipped.loc[late, "outcome"] = 1 - flipped.loc[late, "outcome"]
    after = recalibrate(flipped, method)
    upto = frame["base_year"] <= 2005
    np.testing.assert_allclose(before.loc[upto, "probability"], after.loc[upto, "probability"])
    assert not np.allclose(before.loc[~upto, "probability"], after.loc[~upto, "probability"]) or (
        method == "none")  # fmt: skip


def test_without_enough_onsets_the_forecast_is_kept() -> None:
    frame = _predictions()
    frame["outcome"] = 0
    kept = recalibrate(frame, "intercept")
    np.testing.assert_array_equal(kept["probability"], frame["probability"])


def test_intercept_brings_an_over_predicting_model_to_the_observed_rate() -> None:
    frame = _predictions(seed=2)
    corrected = recalibrate(frame, "intercept")
    scored = frame["base_year"] >= 2000
    raw_ratio = frame.loc[scored, "probability"].mean() / frame.loc[scored, "outcome"].mean()
    new_ratio = corrected.loc[scored, "probability"].mean() / frame.loc[scored, "outcome"].mean()
    assert raw_ratio > 1.5 and abs(new_ratio - 1) < 0.3
    assert logit(np.array([0.5]))[0] == 0
