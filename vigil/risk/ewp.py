"""The Early Warning Project's public model, re-implemented as a scikit-learn classifier.

A logistic regression with glmnet's elastic-net penalty (α = 0.5) on the 39 EWP
predictors standardised with the population SD, the penalty λ chosen by 10-fold
cross-validation on binomial deviance over glmnet's default log-spaced path
(the λ with the minimum mean CV deviance, "lambda.min"), complete cases only.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from vigil.risk import glmnet
from vigil.risk.estimators import MEAN_REFERENCE, _BinaryRiskClassifier
from vigil.risk.variables import EWP_PREDICTORS


class EWPModel(_BinaryRiskClassifier):
    """Elastic-net logit with cross-validated λ, as in the EWP's ``cv.glmnet`` pipeline.

    ``columns`` names the columns used when ``X`` is a DataFrame (the 39 EWP
    predictors by default); an array is used as it is. ``lambda_`` fixes the
    penalty and skips cross-validation. Rows with a missing predictor are left
    out of training; at prediction a missing value is replaced by the training
    mean (its contribution is then zero).
    """

    def __init__(
        self,
        *,
        alpha: float = 0.5,
        n_folds: int = 10,
        n_lambda: int = 100,
        lambda_min_ratio: float | None = None,
        penalty: float | None = None,
        columns: Sequence[str] | None = EWP_PREDICTORS,
        random_state: int | None = 0,
    ) -> None:
        self.alpha = alpha
        self.n_folds = n_folds
        self.n_lambda = n_lambda
        self.lambda_min_ratio = lambda_min_ratio
        self.penalty = penalty
        self.columns = columns
        self.random_state = random_state

    _parameter_constraints: dict[str, list[Any]] = {  # noqa: RUF012
        "alpha": [Interval(Real, 0, 1, closed="both")],
        "n_folds": [Interval(Integral, 2, None, closed="left")],
        "n_lambda": [Interval(Integral, 1, None, closed="left")],
        "lambda_min_ratio": [Interval(Real, 0, 1, closed="neither"), None],
        "penalty": [Interval(Real, 0, None, closed="left"), None],
        "columns": ["array-like", None],
        "random_state": [Interval(Integral, 0, None, closed="left"), None],
    }

    def fit(self, X: pd.DataFrame | np.ndarray, y: Sequence[int] | np.ndarray) -> EWPModel:
        """Standardise, cross-validate λ on complete cases, and keep the full-data fit at λ."""
        self._validate_params()
        x, target = self._validate_fit(X, y)
        if len(self.classes_) == 1:
            raise ValueError("EWPModel needs two classes in y; it received 1 class")
        complete = ~np.isnan(x).any(axis=1)
        x, target = x[complete], target[complete].astype(np.float64)
        self.n_train_ = len(target)
        self.mean_ = x.mean(axis=0)
        scale = x.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        z = (x - self.mean_) / self.scale_
        with threadpool_limits(1):  # small products: one thread is faster and deterministic
            self._fit_standardised(z, target)
        self.coef_ = (self.coef_std_ / self.scale_)[None, :]
        self.intercept_ = np.array([self.intercept_std_ - float(self.coef_[0] @ self.mean_)])
        return self

    def _fit_standardised(self, z: np.ndarray, y: np.ndarray) -> None:
        n, p = z.shape
        ratio = self.lambda_min_ratio or (1e-4 if n > p else 1e-2)
        if self.penalty is not None:
            lambdas = np.array([float(self.penalty)])
            path = glmnet.fit_path(z, y, np.ones((n, 1)), lambdas, self.alpha)
            self.cv_deviance_ = np.array([np.nan])
            best = 0
        else:
            rng = np.random.default_rng(self.random_state)
            path, self.cv_deviance_ = glmnet.cross_validate(
                z, y, self.alpha, self.n_lambda, ratio, self.n_folds, rng
            )
            best = int(np.argmin(self.cv_deviance_))
        self.lambdas_ = path.lambdas
        self.lambda_ = float(path.lambdas[best])
        self.coef_std_ = path.coefs[best, 0].copy()
        self.intercept_std_ = float(path.intercepts[best, 0])

    def _filled(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        check_is_fitted(self)
        x = self._validate(X, reset=False)
        return np.where(np.isnan(x), self.mean_, x)

    def decision_function(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Log-odds of an onset."""
        return np.asarray(self._filled(X) @ self.coef_[0] + self.intercept_[0])

    def _risk(self, X: np.ndarray) -> np.ndarray:
        filled = np.where(np.isnan(X), self.mean_, X)
        return np.asarray(expit(filled @ self.coef_[0] + self.intercept_[0]))

    def contributions(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Per-variable log-odds contributions against the training-window mean.

        Row sums plus ``reference_logit_`` give each row's log-odds.
        """
        return np.asarray((self._filled(X) - self.mean_) * self.coef_[0])

    reference_label_ = MEAN_REFERENCE

    @property
    def contribution_reference_(self) -> np.ndarray:
        """The reference value of each predictor: its training-window mean."""
        check_is_fitted(self)
        return np.asarray(self.mean_)

    @property
    def reference_logit_(self) -> float:
        """Log-odds of a country with every predictor at its training-window mean."""
        check_is_fitted(self)
        return float(self.intercept_[0] + self.coef_[0] @ self.mean_)
