"""Per-country drivers for the pages, for every country at once from one fitted forecast.

``vigil explain`` (:mod:`vigil.risk.explain`) answers for one country and refits the model to
do so; the pages need all 168 countries at start-up. This module computes the same three views
— additive contributions, counterfactual shifts to the base year's typical value, and the
change since last year split by moved variable — with one batched prediction per view, so
explaining every country costs a few model evaluations instead of thousands.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from vigil.risk.explain import global_value
from vigil.risk.forecast import Forecast
from vigil.web.labels import label

TOP = 5
#: Calendar-time terms: they move every year by construction, so they explain no change.
TREND = frozenset({"year", "year_sq"})
DEFAULT_REFERENCE = "every variable at its training-window mean"


def all_drivers(
    current: Forecast, previous: pd.DataFrame, earlier_design: pd.DataFrame
) -> dict[str, dict[str, Any]]:
    """Drivers of every country in ``current``, keyed by ISO3."""
    estimator = current.estimator
    rows = current.design.reset_index(drop=True)
    names = [str(n) for n in estimator.feature_names_in_]
    base = estimator.predict_proba(rows)[:, 1]
    shifts, references = _counterfactual_shifts(estimator, rows, names, base)
    contributions = _contributions(estimator, rows)
    changes = _changes(current, rows, names, previous, earlier_design)
    out: dict[str, dict[str, Any]] = {}
    for i in range(len(rows)):
        row = rows.iloc[i]
        country = str(row["country"])
        iso3 = str(current.frame.loc[current.frame["country"] == country, "iso3"].iloc[0])
        effects = [
            _driver(name, row.get(name), references[j], float(shifts[i, j]))
            for j, name in enumerate(names)
            if not np.isclose(shifts[i, j], 0.0, rtol=0, atol=1e-12)
        ]
        change, refit = changes.get(country, ([], None))
        out[iso3] = {
            "up": sorted((d for d in effects if d["effect"] > 0), key=lambda d: -d["effect"])[:TOP],
            "down": sorted((d for d in effects if d["effect"] < 0), key=lambda d: d["effect"])[
                :TOP
            ],
            **_contribution_view(estimator, contributions, rows, i),
            "change": change,
            "change_from_refit": refit,
        }
    return out


def _counterfactual_shifts(
    estimator: Any, rows: pd.DataFrame, names: list[str], base: np.ndarray
) -> tuple[np.ndarray, list[float]]:
    """Base minus the probability with each input at its global base-year value (n × k)."""
    references = [global_value(rows[name]) for name in names]
    k = len(names)
    variants = rows.loc[rows.index.repeat(k)].reset_index(drop=True)
    variants[names] = variants[names].astype(float)
    for j, (name, reference) in enumerate(zip(names, references, strict=True)):
        variants.loc[j::k, name] = reference
    shifted = estimator.predict_proba(variants)[:, 1].reshape(len(rows), k)
    return base[:, None] - shifted, references


def _contributions(estimator: Any, rows: pd.DataFrame) -> np.ndarray | None:
    """Additive log-odds contributions of every row, if the model offers them."""
    if not hasattr(estimator, "contributions"):
        return None
    return np.asarray(estimator.contributions(rows))


def _contribution_view(
    estimator: Any, values: np.ndarray | None, rows: pd.DataFrame, i: int
) -> dict[str, Any]:
    if values is None:
        return {"contributions": [], "reference": "this model has no additive decomposition",
                "reference_probability": None}  # fmt: skip
    names = [str(n) for n in getattr(estimator, "contribution_names_", estimator.feature_names_in_)]
    means = getattr(estimator, "mean_", None)
    drivers = [
        _driver(
            name,
            rows.loc[i].get(name),
            None if means is None or len(means) != len(names) else float(means[j]),
            float(values[i, j]),
        )
        for j, name in enumerate(names)
    ]
    drivers.sort(key=lambda d: abs(d["effect"]), reverse=True)
    return {
        "contributions": drivers[:TOP],
        "reference": str(getattr(estimator, "reference_label_", DEFAULT_REFERENCE)),
        "reference_probability": float(expit(float(estimator.reference_logit_))),
    }


def _changes(
    current: Forecast,
    rows: pd.DataFrame,
    names: list[str],
    previous: pd.DataFrame,
    earlier: pd.DataFrame,
) -> dict[str, tuple[list[dict[str, Any]], float | None]]:
    """Per country: the moved variables' parts in the yearly change, and the refit's part."""
    if previous.empty or earlier.empty:
        return {}
    then = earlier.drop_duplicates("country").set_index("country")
    before = previous.drop_duplicates("country").set_index("country")["probability"]
    pairs = [(row, then.loc[row["country"]]) for _, row in rows.iterrows()
             if row["country"] in then.index and row["country"] in before.index]  # fmt: skip
    if not pairs:
        return {}
    olds = pd.DataFrame([old for _, old in pairs]).reset_index(names="country")
    p_then = current.estimator.predict_proba(olds)[:, 1]
    swaps, keys = [], []
    for i, (now, old) in enumerate(pairs):
        for name in names:
            a, b = old[name], now[name]
            if (pd.isna(a) and pd.isna(b)) or a == b:
                continue
            swapped = olds.iloc[i].copy()
            swapped[name] = b
            swaps.append(swapped)
            keys.append((i, name, a, b))
    moved = current.estimator.predict_proba(pd.DataFrame(swaps))[:, 1] if swaps else []
    out: dict[str, tuple[list[dict[str, Any]], float | None]] = {}
    for i, (now, _) in enumerate(pairs):
        country = str(now["country"])
        found = [
            _driver(name, b, a, float(p) - float(p_then[i]))
            for (j, name, a, b), p in zip(keys, moved, strict=True)
            if j == i and name not in TREND
        ]
        found.sort(key=lambda d: abs(d["effect"]), reverse=True)
        out[country] = (found[:TOP], float(p_then[i]) - float(before[country]))
    return out


def _driver(variable: str, value: Any, reference: Any, effect: float) -> dict[str, Any]:
    return {
        "variable": variable,
        "label": label(variable),
        "value": None if value is None or pd.isna(value) else float(value),
        "reference": None if reference is None or pd.isna(reference) else float(reference),
        "effect": effect,
    }
