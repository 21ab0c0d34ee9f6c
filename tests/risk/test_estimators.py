"""The risk estimators honour the scikit-learn estimator contract and their own promises."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from vigil.risk.boosted import BoostedTrees
from vigil.risk.calibration import apply_map, fit_map
from vigil.risk.estimators import (
    ColumnScore,
    Ensemble,
    PenalisedLogit,
)
from vigil.risk.splits import forward_folds

ESTIMATORS = [
    ColumnScore(),
    PenalisedLogit(Cs=(0.1, 1.0)),
    BoostedTrees(max_trees=20, min_child_samples=5),
    BoostedTrees(max_trees=20, min_child_samples=5, n_seeds=2),
    Ensemble(members=[("logit", PenalisedLogit(Cs=(1.0,))), ("score", ColumnScore())]),
]


def expected_failures(estimator):
    """Checks that cannot apply: a one-column baseline cannot fit the checks' dataset."""
    if isinstance(estimator, ColumnScore):
        reason = "a baseline ranks by one column only, so it cannot reach the accuracy asked"
        return {"check_classifiers_train": reason}
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failures)
def test_estimators_pass_scikit_learn_checks(estimator, check):
    check(estimator)


def panel(years: range = range(1970, 2000), countries: int = 40, seed: int = 0) -> pd.DataFrame:
    """A synthetic country-year panel whose risk rises with ``x``."""
    rng = np.random.default_rng(seed)
    rows = [(c, y, rng.normal()) for y in years for c in range(countries)]
    frame = pd.DataFrame(rows, columns=["ccode", "year", "x"])
    frame["noise"] = rng.normal(size=len(frame))
    frame["y"] = (rng.random(len(frame)) < 1 / (1 + np.exp(-(frame["x"] * 2 - 4)))).astype(int)
    return frame


def test_forward_folds_validate_later_years_with_a_two_year_gap():
    years = np.repeat(np.arange(1980, 2001), 3)
    for train, test in forward_folds(years, n_folds=3, block=5):
        assert years[train].max() <= years[test].min() - 2
    assert sorted({y for _, test in forward_folds(years, 3, 5) for y in years[test]}) == list(
        range(1986, 2001)
    )


@pytest.mark.parametrize("make", [ColumnScore, PenalisedLogit, BoostedTrees])
def test_predicting_before_fitting_raises_not_fitted(make):
    with pytest.raises(NotFittedError):
        make().predict_proba(panel()[["x"]])


def test_named_columns_are_selected_from_a_wider_frame():
    data = panel()
    model = PenalisedLogit(columns=["x"]).fit(data, data["y"])
    assert list(model.feature_names_in_) == ["x"]
    wider = data.assign(unrelated=1.0)
    np.testing.assert_array_equal(model.predict_proba(wider), model.predict_proba(data))


def test_column_score_ranks_by_its_column():
    data = panel()
    risk = ColumnScore("x").fit(data, data["y"]).predict_proba(data)[:, 1]
    assert (np.argsort(risk) == np.argsort(data["x"].to_numpy())).all()


def test_boosted_trees_respect_monotone_constraints():
    data = panel()
    model = BoostedTrees(columns=["x", "noise"], monotone={"x": 1}, max_trees=50).fit(
        data, data["y"]
    )
    grid = pd.DataFrame({"x": np.linspace(-3, 3, 50), "noise": 0.3})
    assert (np.diff(model.predict_proba(grid)[:, 1]) >= 0).all()


def test_same_seed_gives_identical_probabilities():
    data = panel()
    first = BoostedTrees(columns=["x", "noise"], random_state=3).fit(data, data["y"])
    second = BoostedTrees(columns=["x", "noise"], random_state=3).fit(data, data["y"])
    np.testing.assert_array_equal(first.predict_proba(data), second.predict_proba(data))


def test_seed_averaged_boosters_keep_shap_values_additive():
    data = panel()
    model = BoostedTrees(columns=["x", "noise"], n_seeds=3).fit(data, data["y"])
    log_odds = np.log(model.predict_proba(data)[:, 1] / model.predict_proba(data)[:, 0])
    total = model.contributions(data).sum(axis=1) + model.reference_logit_
    np.testing.assert_allclose(total, log_odds, atol=1e-6)
    assert len(model.boosters_) == 3


def test_one_seed_is_a_single_booster_of_the_same_seed():
    data = panel()
    single = BoostedTrees(columns=["x", "noise"], random_state=5).fit(data, data["y"])
    averaged = BoostedTrees(columns=["x", "noise"], random_state=5, n_seeds=2).fit(data, data["y"])
    assert averaged.n_trees_ == single.n_trees_
    assert not np.allclose(averaged.predict_proba(data), single.predict_proba(data))


@pytest.mark.parametrize("n_seeds", [0, -1, 1.5])
def test_n_seeds_must_be_a_positive_integer(n_seeds):
    data = panel()
    with pytest.raises(ValueError, match="The 'n_seeds' parameter of BoostedTrees must be"):
        BoostedTrees(columns=["x"], n_seeds=n_seeds).fit(data, data["y"])


def test_ensemble_averages_member_probabilities():
    data = panel()
    a, b = PenalisedLogit(columns=["x"]), ColumnScore("x")
    ensemble = Ensemble(members=[("a", a), ("b", b)]).fit(data, data["y"])
    expected = (
        a.fit(data, data["y"]).predict_proba(data) + b.fit(data, data["y"]).predict_proba(data)
    ) / 2
    np.testing.assert_allclose(ensemble.predict_proba(data), expected)


def test_intercept_calibration_matches_the_observed_rate():
    rng = np.random.default_rng(1)
    p = rng.uniform(0.01, 0.2, 2000)
    y = (rng.random(2000) < p / 2).astype(int)
    mapped = apply_map(p, fit_map(p, y, method="intercept"))
    assert mapped.mean() == pytest.approx(y.mean(), rel=1e-6)
    assert (np.argsort(mapped) == np.argsort(p)).all()


def test_walk_forward_calibration_pulls_an_overconfident_model_down():
    data = panel()
    data["y"] = np.where(data["year"] >= 1990, 0, data["y"])  # the rate falls late
    data.loc[data.index[-1], "y"] = 1
    raw = PenalisedLogit(columns=["x"], calibration=None).fit(data, data["y"])
    calibrated = PenalisedLogit(columns=["x"], calibration="intercept").fit(data, data["y"])
    assert calibrated.predict_proba(data)[:, 1].mean() < raw.predict_proba(data)[:, 1].mean()


@pytest.mark.parametrize(
    "model, parameter",
    [
        (PenalisedLogit(calibration="isotonic"), "calibration"),
        (PenalisedLogit(n_folds=0), "n_folds"),
        (BoostedTrees(subsample=1.5), "subsample"),
        (BoostedTrees(half_life=0), "half_life"),
        (ColumnScore(column=-1), "column"),
    ],
)
def test_parameters_are_checked_against_declared_constraints_at_fit(model, parameter):
    data = panel()
    with pytest.raises(ValueError, match=f"The '{parameter}' parameter of {type(model).__name__}"):
        model.fit(data, data["y"])


def test_the_time_column_is_named_not_assumed():
    data = panel().rename(columns={"year": "period"})
    by_name = PenalisedLogit(columns=["x"], time_column="period").fit(data, data["y"])
    fallback = PenalisedLogit(columns=["x"]).fit(data, data["y"])
    assert by_name.get_params()["time_column"] == "period"
    assert np.isfinite(by_name.predict_proba(data)).all()
    assert by_name.C_ in (0.003, 0.01, 0.03, 0.1) and fallback.C_ in (0.003, 0.01, 0.03, 0.1)
