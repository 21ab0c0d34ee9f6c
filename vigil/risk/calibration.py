"""Probability calibration learned inside the training window, walk-forward.

Base rates of mass-killing onsets fell after the Cold War, so a model fitted on
1960 onwards over-predicts later years. :class:`WalkForwardCalibrated` measures that
on the last ``years`` years of its own training data: a copy of the model fitted
on the earlier years (with the same two-year gap as a real forecast) predicts
them, a logistic map from that model's log-odds to the observed outcomes is fitted,
and the map is applied to the model refitted on all the training rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

Array = np.ndarray

METHODS = ("sigmoid", "intercept")


def _logit(p: Array) -> Array:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(p / (1 - p)))


class WalkForwardCalibrated(ClassifierMixin, BaseEstimator):
    """Wrap a classifier with a calibration map fitted on its own recent out-of-sample errors.

    ``X`` must be a DataFrame with a ``year`` column. ``method="sigmoid"`` fits
    intercept and slope on the log-odds (Platt scaling); ``"intercept"`` keeps the
    slope at 1 and only shifts the level, which is steadier with few onsets.
    """

    def __init__(self, estimator: Any = None, years: int = 10, method: str = "sigmoid") -> None:
        self.estimator = estimator
        self.years = years
        self.method = method

    def fit(self, X: pd.DataFrame, y: Any) -> WalkForwardCalibrated:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}; received {self.method!r}")
        if not isinstance(X, pd.DataFrame) or "year" not in X.columns:
            raise ValueError("WalkForwardCalibrated needs a DataFrame with a 'year' column")
        y = np.asarray(y)
        year = X["year"].to_numpy()
        last = int(year.max())
        calibrate = year > last - self.years
        inner = year <= last - self.years - 1
        self.intercept_, self.slope_ = self._map(X, y, inner, calibrate)
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        return self

    def _map(
        self, X: pd.DataFrame, y: Array, inner: Array, calibrate: Array
    ) -> tuple[float, float]:
        """Intercept and slope on the log-odds; identity when the window cannot support one."""
        if len(np.unique(y[inner])) < 2 or y[calibrate].sum() < 1:
            return 0.0, 1.0
        model = clone(self.estimator).fit(X[inner], y[inner])
        z = _logit(model.predict_proba(X[calibrate])[:, 1])
        if self.method == "intercept":
            return _intercept_shift(z, y[calibrate]), 1.0
        platt = LogisticRegression(C=1e4).fit(z.reshape(-1, 1), y[calibrate])
        return float(platt.intercept_[0]), float(platt.coef_[0, 0])

    def predict_proba(self, X: pd.DataFrame) -> Array:
        check_is_fitted(self)
        z = _logit(self.estimator_.predict_proba(X)[:, 1])
        risk = 1.0 / (1.0 + np.exp(-(self.intercept_ + self.slope_ * z)))
        return np.column_stack([1.0 - risk, risk])

    def predict(self, X: pd.DataFrame) -> Array:
        return np.asarray(self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)])


def _intercept_shift(z: Array, y: Array) -> float:
    """The shift of log-odds that makes the mean predicted risk equal the observed rate."""
    target = float(np.mean(y))
    low, high = -10.0, 10.0
    for _ in range(60):
        middle = (low + high) / 2
        mean = float(np.mean(1.0 / (1.0 + np.exp(-(z + middle)))))
        low, high = (middle, high) if mean < target else (low, middle)
    return (low + high) / 2


def fit_map(p: Array, y: Array, method: str | None = "sigmoid") -> tuple[float, float]:
    """Intercept and slope of a log-odds map fitted to held-out predictions ``p`` of ``y``.

    Identity when ``method`` is None or the held-out data lack an onset or a non-onset.
    """
    if method is None or len(y) == 0 or len(np.unique(y)) < 2:
        return 0.0, 1.0
    if method not in METHODS:
        raise ValueError(f"calibration must be one of {METHODS} or None; received {method!r}")
    z = _logit(np.asarray(p))
    if method == "intercept":
        return _intercept_shift(z, np.asarray(y)), 1.0
    platt = LogisticRegression(C=1e4).fit(z.reshape(-1, 1), y)
    return float(platt.intercept_[0]), float(platt.coef_[0, 0])


def apply_map(p: Array, calibration: tuple[float, float]) -> Array:
    """Apply an (intercept, slope) log-odds map to probabilities."""
    intercept, slope = calibration
    if (intercept, slope) == (0.0, 1.0):
        return np.asarray(p)
    return np.asarray(1.0 / (1.0 + np.exp(-(intercept + slope * _logit(np.asarray(p))))))
