"""Calibration from a model's track record: its own earlier walk-forward forecasts.

At base year t, the forecasts the model made at base years t' ≤ t − 2 have known outcomes (an
onset in t' + 1 or t' + 2 ≤ t). A correction fitted on them — a shift of the log-odds
(``intercept``), a logistic map of the log-odds (``platt``) or a monotone step function
(``isotonic``) — is applied to the forecast made at t. Nothing from t − 1 or later is used, so
the corrected forecasts stay out of sample. ``window`` limits the history to recent years,
because the onset rate drifts.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

Array = np.ndarray
METHODS = ("none", "intercept", "platt", "isotonic")
#: Fewest onsets in the history before a correction is fitted (else the forecast is kept).
MIN_ONSETS = 5


def logit(p: Array) -> Array:
    q = np.clip(np.asarray(p, dtype=float), 1e-9, 1 - 1e-9)
    return np.asarray(np.log(q / (1 - q)))


def expit(z: Array) -> Array:
    return np.asarray(1 / (1 + np.exp(-z)))


def fit_correction(p: Array, y: Array, method: str) -> Callable[[Array], Array]:
    """A map from raw to corrected probabilities, fitted on (forecast, outcome) pairs."""
    if method == "none":
        return lambda q: np.asarray(q, dtype=float)
    z = logit(p)
    if method == "intercept":
        target = float(np.sum(y))
        shift = brentq(lambda d: float(np.sum(expit(z + d))) - target, -20, 20)
        return lambda q: expit(logit(q) + shift)
    if method == "platt":
        model = LogisticRegression(C=1e4).fit(z[:, None], y)
        return lambda q: model.predict_proba(logit(q)[:, None])[:, 1]
    if method == "isotonic":
        iso = IsotonicRegression(y_min=1e-4, y_max=1, out_of_bounds="clip").fit(p, y)
        return lambda q: np.asarray(iso.predict(q))
    raise ValueError(f"unknown calibration method {method!r}; choose from {METHODS}")


def recalibrate(
    predictions: pd.DataFrame, method: str, *, gap: int = 2, window: int | None = None
) -> pd.DataFrame:
    """Every forecast corrected on the same model's earlier forecasts with known outcomes."""
    out = predictions.copy()
    for _, group in predictions.groupby("model", sort=False):
        for year in np.unique(group["base_year"]):
            low = -np.inf if window is None else year - gap - window + 1
            seen = group[(group["base_year"] <= year - gap) & (group["base_year"] >= low)]
            if seen["outcome"].sum() < MIN_ONSETS:
                continue
            correct = fit_correction(seen["probability"].to_numpy(), seen["outcome"].to_numpy(),
                                     method)  # fmt: skip
            rows = group.index[group["base_year"] == year]
            out.loc[rows, "probability"] = correct(group.loc[rows, "probability"].to_numpy())
    return out


def intercept_shifts(
    predictions: pd.DataFrame, gap: int, years: range
) -> dict[str, dict[str, float]]:
    """Per model, the log-odds shift a forecast made at each base year t would use.

    Each shift is fitted on the model's forecasts of base years ≤ t − ``gap`` (outcomes known
    at t); years whose history holds fewer than :data:`MIN_ONSETS` onsets get none.
    """
    shifts: dict[str, dict[str, float]] = {}
    for name, group in predictions.groupby("model", sort=False):
        found = {}
        for year in years:
            seen = group[group["base_year"] <= year - gap]
            if seen["outcome"].sum() < MIN_ONSETS:
                continue
            z = logit(seen["probability"].to_numpy())
            target = float(seen["outcome"].sum())
            found[str(year)] = round(
                float(brentq(lambda d, z=z, t=target: float(np.sum(expit(z + d))) - t, -20, 20)), 6
            )
        shifts[str(name)] = found
    return shifts
