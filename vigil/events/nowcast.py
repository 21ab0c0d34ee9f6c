"""Near-term forecast: the probability of 25 or more deaths in a unit in each of the next 3 months.

Two targets, per country-month or admin1-month: civilian deaths (GED ``deaths_civilians``, any type
of violence) and deaths in one-sided violence. The model is a regularised logistic regression on
the unit's own recent history — log deaths this month and the two before, and the share of all its
past months that crossed the threshold — pooled across units. It is deliberately small: the
Syrian admin1 panel has ~650 unit-months, and what predicts next month is mostly persistence, so a
model must earn its keep against the naive baselines (last month's value; the 3-month mean), which
:func:`walk_forward` and :func:`evaluate` measure month by month, never training on the future.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from vigil.events.panels import KEYS, Level

THRESHOLD = 25
TARGETS = {"civilian_deaths": "civilian_deaths", "one_sided": "fatalities_one_sided"}
HORIZONS = (1, 2, 3)


@dataclass(frozen=True, slots=True)
class Target:
    """What is forecast: ``column`` of the panel reaching ``threshold`` ``horizon`` months ahead."""

    column: str
    horizon: int = 1
    threshold: int = THRESHOLD


def _units(panel: pd.DataFrame, level: Level) -> Any:
    return panel.groupby(list(KEYS[level]), sort=False, dropna=False)


def features(panel: pd.DataFrame, level: Level, column: str) -> pd.DataFrame:
    """Per unit-month predictors from the unit's history up to and including that month.

    ``panel`` must be complete and sorted by unit and month (as :func:`build_panel` returns it).
    """
    units = _units(panel, level)
    value = panel[column].astype(float)
    hit = (value >= THRESHOLD).astype(float)
    frame = pd.DataFrame(index=panel.index)
    frame["log_now"] = np.log1p(value)
    frame["log_lag1"] = np.log1p(units[column].shift(1).astype(float)).fillna(0.0)
    frame["log_lag2"] = np.log1p(units[column].shift(2).astype(float)).fillna(0.0)
    frame["hit_share"] = hit.groupby([panel[k] for k in KEYS[level]], dropna=False).transform(
        lambda x: x.expanding().mean()
    )
    if column != "civilian_deaths":
        frame["log_civilian"] = np.log1p(panel["civilian_deaths"].astype(float))
    return frame


def outcome(panel: pd.DataFrame, level: Level, target: Target) -> pd.Series:
    """1.0 / 0.0: does the unit cross the threshold ``horizon`` months later (NaN: not known)."""
    ahead = _units(panel, level)[target.column].shift(-target.horizon)
    return (ahead >= target.threshold).astype(float).where(ahead.notna())


def model() -> LogisticRegression:
    """The forecasting estimator: L2-regularised logistic regression.

    The predictors are already on one scale (log deaths, a share), so they are not standardised;
    standardising weakens the penalty on the lags and lost to the last-month baseline on Syria.
    """
    return LogisticRegression(C=1.0, solver="newton-cholesky", max_iter=200)


def walk_forward(
    panel: pd.DataFrame, level: Level, target: Target, *, burn_in: int = 12
) -> pd.DataFrame:
    """Month-by-month out-of-sample predictions with the naive baselines beside them.

    At each origin month the model is refitted on the unit-months whose outcome was already known
    then (month + horizon ≤ origin) and predicts the origin month's rows. The first ``burn_in``
    months only train.
    """
    x = features(panel, level, target.column)
    y = outcome(panel, level, target)
    rolling = _units(panel, level)[target.column].transform(lambda s: s.rolling(3, 1).mean())
    months = np.sort(panel["month"].unique())
    ahead = panel["month"] + pd.DateOffset(months=target.horizon)
    parts = []
    for origin in months[burn_in:]:
        train = y.notna() & (ahead <= origin)
        test = y.notna() & (panel["month"] == origin)
        if not test.any() or y[train].nunique() < 2:
            continue
        fitted = model().fit(x[train], y[train])
        parts.append(
            pd.DataFrame(
                {
                    "month": origin,
                    "outcome": y[test],
                    "model": fitted.predict_proba(x[test])[:, 1],
                    "last_month": panel.loc[test, target.column].astype(float),
                    "rolling_mean": rolling[test].astype(float),
                }
            )
        )
    return pd.concat(parts) if parts else pd.DataFrame()


def evaluate(predictions: pd.DataFrame, threshold: int = THRESHOLD) -> pd.DataFrame:
    """Average precision, AUC and Brier score of the model and the two naive baselines.

    The baselines rank by their value for AP and AUC; for the Brier score they forecast 1 when
    the value reaches the threshold and 0 otherwise (a naive forecaster has no probabilities).
    """
    rows = []
    if predictions.empty:
        predictions = pd.DataFrame(columns=["outcome", "model", "last_month", "rolling_mean"])
    y = predictions["outcome"].to_numpy(dtype=float)
    for method in ("model", "last_month", "rolling_mean"):
        score = predictions[method].to_numpy(dtype=float)
        prob = score if method == "model" else (score >= threshold).astype(float)
        both = len(np.unique(y)) == 2
        rows.append(
            {
                "method": method,
                "n": len(y),
                "positives": int(y.sum()),
                "average_precision": average_precision_score(y, score) if both else np.nan,
                "auc": roc_auc_score(y, score) if both else np.nan,
                "brier": brier_score_loss(y, prob) if len(y) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def comparison(
    panel: pd.DataFrame, level: Level, horizons: Sequence[int] = HORIZONS
) -> pd.DataFrame:
    """The evaluation table for both targets and every horizon."""
    tables = []
    for name, column in TARGETS.items():
        for horizon in horizons:
            table = evaluate(walk_forward(panel, level, Target(column, horizon)))
            tables.append(table.assign(target=name, horizon=horizon))
    columns = ["target", "horizon", "method", "n", "positives", "average_precision", "auc", "brier"]
    return pd.concat(tables, ignore_index=True)[columns]


def forecast(panel: pd.DataFrame, level: Level, target: Target) -> pd.DataFrame:
    """Probabilities for every unit from its latest month, fitted on all known outcomes."""
    x = features(panel, level, target.column)
    y = outcome(panel, level, target)
    latest = panel["month"] == panel["month"].max()
    keys = list(KEYS[level])
    result = panel.loc[latest, [*keys, "month"]].copy()
    result["target_month"] = result["month"] + pd.DateOffset(months=target.horizon)
    if y.notna().sum() == 0 or y.dropna().nunique() < 2:
        result["probability"] = np.nan
        return result
    fitted = model().fit(x[y.notna()], y[y.notna()])
    result["probability"] = fitted.predict_proba(x[latest])[:, 1]
    return result
