"""The public EWP model, re-implemented, reproduces the published 2025 forecasts."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from vigil.risk.ewp import EWPModel
from vigil.risk.table import TARGET, RiskTable

#: The published 2025 assessment's top four (probabilities from base year 2024).
PUBLISHED_TOP = {"Burma/Myanmar": 0.104, "Chad": 0.081, "Sudan": 0.081, "India": 0.075}


@pytest.fixture(scope="module")
def fitted(table: RiskTable) -> EWPModel:
    train = table.training_rows(2024)
    return EWPModel(random_state=0).fit(train, train[TARGET])


def test_it_trains_on_complete_rows_up_to_two_years_before_the_base_year(
    fitted: EWPModel,
) -> None:
    assert fitted.n_train_ == 8972
    assert len(fitted.feature_names_in_) == 39


def test_cross_validation_picks_the_published_penalty(fitted: EWPModel) -> None:
    assert fitted.lambda_ == pytest.approx(0.00259, rel=0.15)


def test_it_reproduces_the_published_top_four(fitted: EWPModel, table: RiskTable) -> None:
    rows = table.year(2024)
    probability = dict(zip(rows["country"], fitted.predict_proba(rows)[:, 1], strict=True))
    for country, published in PUBLISHED_TOP.items():
        assert probability[country] == pytest.approx(published, abs=0.003)
    ranked = sorted(probability, key=probability.__getitem__, reverse=True)
    assert ranked[0] == "Burma/Myanmar"
    assert set(ranked[:4]) == set(PUBLISHED_TOP)


def test_contributions_add_up_to_the_log_odds(fitted: EWPModel, table: RiskTable) -> None:
    rows = table.year(2024)
    total = fitted.contributions(rows).sum(axis=1) + fitted.reference_logit_
    np.testing.assert_allclose(total, fitted.decision_function(rows), atol=1e-10)


def test_a_fixed_penalty_skips_cross_validation(table: RiskTable) -> None:
    train = table.training_rows(2024)
    model = EWPModel(penalty=0.00259).fit(train, train[TARGET])
    assert model.lambda_ == 0.00259 and np.isnan(model.cv_deviance_).all()


def test_the_same_seed_gives_identical_output(table: RiskTable) -> None:
    train = table.training_rows(2010)
    first = EWPModel(random_state=7).fit(train, train[TARGET]).coef_
    second = EWPModel(random_state=7).fit(train, train[TARGET]).coef_
    np.testing.assert_array_equal(first, second)


def test_predicting_before_fitting_raises() -> None:
    with pytest.raises(NotFittedError):
        EWPModel().predict_proba(np.zeros((1, 3)))


@parametrize_with_checks([EWPModel(n_folds=3, n_lambda=20, columns=None)])
def test_scikit_learn_estimator_contract(estimator, check) -> None:  # type: ignore[no-untyped-def]
    check(estimator)


@pytest.mark.parametrize("params", [{"alpha": 1.5}, {"n_folds": 1}, {"penalty": -0.1}])
def test_out_of_range_parameters_name_the_parameter(params) -> None:  # type: ignore[no-untyped-def]
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [0.2, 0.8]])
    with pytest.raises(ValueError, match=f"The '{next(iter(params))}' parameter of EWPModel"):
        EWPModel(columns=None, **params).fit(X, [0, 1, 0, 1])
