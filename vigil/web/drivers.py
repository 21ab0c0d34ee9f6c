"""Per-country drivers for the pages, from one fitted forecast (no refit per country).

``vigil.risk.explain.explain`` refits the model twice per call, which is right for the command
line but far too slow for 165 countries at start-up; this module applies the same three views
(contributions, counterfactual shifts, change since last year) to a forecast already fitted.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from vigil.risk import explain as risk_explain
from vigil.risk.forecast import Forecast
from vigil.web.labels import label
from vigil.web.snapshot import TOP_DRIVERS

#: Calendar-time terms: they move every year by construction, so they explain no change.
TREND = frozenset({"year", "year_sq"})


def country_drivers(
    current: Forecast, country: str, previous: pd.DataFrame, earlier_design: pd.DataFrame
) -> dict[str, Any]:
    """Top raising/lowering counterfactual shifts, contributions and change drivers."""
    x = current.design[current.design["country"] == country].iloc[[0]]
    contributions, reference, reference_p = risk_explain._contributions(current.estimator, x)
    up, down = risk_explain._counterfactuals(current, x)
    change, refit = _change(current, country, previous, earlier_design)
    return {
        "up": [_driver(d) for d in up[:TOP_DRIVERS]],
        "down": [_driver(d) for d in down[:TOP_DRIVERS]],
        "contributions": [_driver(d) for d in contributions[:TOP_DRIVERS]],
        "reference": reference,
        "reference_probability": reference_p,
        "change": [_driver(d) for d in change if d.variable not in TREND][:TOP_DRIVERS],
        "change_from_refit": refit,
    }


def _change(
    current: Forecast, country: str, previous: pd.DataFrame, earlier_design: pd.DataFrame
) -> tuple[list[Any], float | None]:
    rows = previous[previous["country"] == country]
    if rows.empty or (earlier_design["country"] != country).all():
        return [], None
    earlier = Forecast(
        frame=previous, provenance=current.provenance, estimator=None, design=earlier_design
    )
    row = current.frame[current.frame["country"] == country].iloc[0]
    return risk_explain._change(current, (rows.iloc[0], earlier), row)


def _driver(driver: Any) -> dict[str, Any]:
    return {
        "variable": driver.variable,
        "label": label(driver.variable),
        "value": driver.value,
        "reference": driver.reference,
        "effect": driver.effect,
    }
