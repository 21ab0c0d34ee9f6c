"""The elastic-net path solver meets glmnet's optimality conditions and objective."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from vigil.risk import glmnet


def problem(seed: int, n: int = 600, p: int = 8) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p))
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    beta = np.where(np.arange(p) < 3, [1.5, -1.0, 0.5, 0, 0, 0, 0, 0][:p], 0.0)
    y = (rng.random(n) < expit(-2.5 + z @ beta)).astype(float)
    return z, y


def kkt_violation(z: np.ndarray, y: np.ndarray, b0: float, b: np.ndarray, lam: float) -> float:
    """Largest breach of the elastic-net logit's stationarity conditions."""
    alpha = 0.5
    residual = y - expit(b0 + z @ b)
    grad = -(z.T @ residual) / len(y) + lam * (1 - alpha) * b
    nonzero = b != 0
    breach_active = np.abs(grad[nonzero] + lam * alpha * np.sign(b[nonzero]))
    breach_zero = np.maximum(np.abs(grad[~nonzero]) - lam * alpha, 0)
    intercept = abs(residual.mean())
    return float(max(breach_active.max(initial=0), breach_zero.max(initial=0), intercept))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_point_of_the_path_satisfies_the_kkt_conditions(seed: int) -> None:
    z, y = problem(seed)
    lambdas = glmnet.lambda_sequence(z, y, 0.5, 30, 1e-3)
    path = glmnet.fit_path(z, y, np.ones((len(y), 1)), lambdas)
    for index, lam in enumerate(path.lambdas):
        b0, b = path.intercepts[index, 0], path.coefs[index, 0]
        assert kkt_violation(z, y, b0, b, lam) < 1e-4


def test_the_largest_lambda_zeroes_every_coefficient() -> None:
    z, y = problem(3)
    lambdas = glmnet.lambda_sequence(z, y, 0.5, 10, 1e-3)
    path = glmnet.fit_path(z, y, np.ones((len(y), 1)), lambdas)
    np.testing.assert_allclose(path.coefs[0], 0, atol=1e-12)
    assert np.any(path.coefs[-1] != 0)


def test_the_solution_matches_scikit_learns_saga_on_the_same_objective() -> None:
    z, y = problem(4)
    lam = 0.01
    ours = glmnet.fit_path(z, y, np.ones((len(y), 1)), np.array([lam]))
    theirs = LogisticRegression(
        l1_ratio=0.5, C=1 / (len(y) * lam), solver="saga", tol=1e-10, max_iter=100_000
    ).fit(z, y)
    np.testing.assert_allclose(ours.coefs[0, 0], theirs.coef_[0], atol=2e-4)


def test_masked_problems_equal_fits_on_the_subsets() -> None:
    z, y = problem(5)
    keep = np.arange(len(y)) % 3 != 0
    lambdas = np.array([0.05, 0.02])
    joint = glmnet.fit_path(z, y, np.column_stack([np.ones(len(y)), keep]).astype(float), lambdas)
    alone = glmnet.fit_path(z[keep], y[keep], np.ones((keep.sum(), 1)), lambdas)
    np.testing.assert_allclose(joint.coefs[:, 1], alone.coefs[:, 0], atol=1e-5)


def test_cross_validation_deviance_is_lowest_inside_the_path() -> None:
    z, y = problem(6, n=1500)
    path, deviance = glmnet.cross_validate(z, y, 0.5, 40, 1e-3, 10, np.random.default_rng(0))
    assert len(deviance) == len(path.lambdas)
    best = int(np.argmin(deviance))
    assert 0 < best < len(deviance) - 1
    assert deviance[best] < deviance[0]
