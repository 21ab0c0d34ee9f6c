"""Probability calibration learned inside the training window, walk-forward.

Base rates of mass-killing onsets fell after the Cold War, so a model fitted on
1960 onwards over-predicts later years. The models measure that on their own
walk-forward inner folds: a log-odds map from the held-out predictions to the
observed outcomes is fitted (:func:`fit_map`) and applied to the model refitted
on all the training rows (:func:`apply_map`).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

Array = np.ndarray

METHODS = ("sigmoid", "intercept")
#: Largest log-odds shift searched (a shift of 60 moves any probability to 0 or 1).
SHIFT_LIMIT = 60.0


def _logit(p: Array) -> Array:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(p / (1 - p)))


def _intercept_shift(z: Array, y: Array) -> float:
    """The shift of log-odds that makes the mean predicted risk equal the observed rate."""
    target = float(np.mean(y))
    shift = brentq(lambda s: float(np.mean(expit(z + s))) - target, -SHIFT_LIMIT, SHIFT_LIMIT)
    return float(shift)


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
