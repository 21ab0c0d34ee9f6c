"""Why a country's risk is what it is: drivers, counterfactuals and the change since last year.

Three complementary views of one forecast:

* **contributions** — additive log-odds contributions of each model input against
  a stated reference (the training-window mean for linear models; the model's
  expected value for tree models, i.e. SHAP values);
* **counterfactual shifts** — how the probability moves when one variable is set
  to the global value of the base year (the cross-country mean, or the mode for
  variables with at most three distinct values), everything else unchanged;
* **change since last year** — last year's forecast (its own refit) against this
  year's, and the part of the change each variable that moved accounts for under
  this year's model; the rest is the refit of the model itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from vigil.errors import UsageError
from vigil.risk.forecast import Forecast, country_index, forecast
from vigil.risk.table import RiskTable

TOP = 5


@dataclass(frozen=True)
class Driver:
    """One variable's part in a forecast."""

    variable: str
    value: float | None
    reference: float | None
    effect: float


@dataclass(frozen=True)
class Explanation:
    """Everything ``vigil explain`` shows for one country and base year."""

    country: str
    iso3: str | None
    base_year: int
    model: str
    probability: float
    rank: int
    n_countries: int
    previous_probability: float | None
    previous_rank: int | None
    reference: str
    reference_probability: float | None
    contributions: list[Driver]
    counterfactual_up: list[Driver]
    counterfactual_down: list[Driver]
    change_drivers: list[Driver]
    change_from_refit: float | None
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def change(self) -> float | None:
        if self.previous_probability is None:
            return None
        return self.probability - self.previous_probability


def explain(
    table: RiskTable,
    country: str,
    *,
    model: str | None = None,
    base_year: int | None = None,
    seed: int = 0,
    design: pd.DataFrame | None = None,
) -> Explanation:
    """Explain one country's forecast (base year defaults to the table's last year)."""
    current = forecast(table, model, base_year, seed=seed, design=design)
    row = current.for_country(country)
    year = int(row["base_year"])
    previous = _previous(table, current, row, model, seed, design)
    x = _model_row(current, str(row["country"]))
    contributions, reference, reference_p = _contributions(current.estimator, x)
    up, down = _counterfactuals(current, x)
    change_drivers, refit = _change(current, previous, row)
    return Explanation(
        country=str(row["country"]),
        iso3=None if pd.isna(row["iso3"]) else str(row["iso3"]),
        base_year=year,
        model=current.provenance.model,
        probability=float(row["probability"]),
        rank=int(row["rank"]),
        n_countries=len(current.frame),
        previous_probability=None if previous is None else float(previous[0]["probability"]),
        previous_rank=None if previous is None else int(previous[0]["rank"]),
        reference=reference,
        reference_probability=reference_p,
        contributions=contributions,
        counterfactual_up=up,
        counterfactual_down=down,
        change_drivers=change_drivers,
        change_from_refit=refit,
        provenance=current.provenance.to_dict(),
    )


def _previous(
    table: RiskTable,
    current: Forecast,
    row: pd.Series,
    model: str | None,
    seed: int,
    design: pd.DataFrame | None,
) -> tuple[pd.Series, Forecast] | None:
    year = int(row["base_year"]) - 1
    try:
        earlier = forecast(table, model, year, seed=seed, design=design)
        index = country_index(earlier.frame, str(row["country"]))
    except UsageError:  # no previous year: a new state, or the start of the table
        return None
    return earlier.frame.loc[index], earlier


def _model_row(result: Forecast, country: str) -> pd.DataFrame:
    design = result.design
    return design[design["country"] == country].iloc[[0]]


def _inputs(estimator: Any) -> list[str]:
    return [str(name) for name in estimator.feature_names_in_]


def _contributions(estimator: Any, x: pd.DataFrame) -> tuple[list[Driver], str, float | None]:
    """Additive log-odds contributions, if the model offers them."""
    if not hasattr(estimator, "contributions"):
        return [], "this model has no additive decomposition", None
    values = np.asarray(estimator.contributions(x))[0]
    names = list(getattr(estimator, "contribution_names_", _inputs(estimator)))
    reference_logit = float(estimator.reference_logit_)
    means = getattr(estimator, "mean_", None)
    drivers = [
        Driver(
            variable=name,
            value=_value(x, name),
            reference=None if means is None or len(means) != len(names) else float(means[i]),
            effect=float(values[i]),
        )
        for i, name in enumerate(names)
    ]
    drivers.sort(key=lambda d: abs(d.effect), reverse=True)
    label = str(
        getattr(estimator, "reference_label_", "every variable at its training-window mean")
    )
    return drivers, label, float(expit(reference_logit))


def _value(x: pd.DataFrame, name: str) -> float | None:
    if name not in x.columns:
        return None
    value = x[name].iloc[0]
    return None if pd.isna(value) else float(value)


def global_value(column: pd.Series) -> float:
    """The cross-country mean, or the mode for variables with at most three values."""
    values = column.dropna()
    if values.nunique() <= 3:
        return float(values.mode().iloc[0])
    return float(values.mean())


def _counterfactuals(result: Forecast, x: pd.DataFrame) -> tuple[list[Driver], list[Driver]]:
    """Probability shifts when each input in turn takes its global base-year value."""
    names = _inputs(result.estimator)
    base = float(result.estimator.predict_proba(x)[0, 1])
    variants = pd.concat([x] * len(names), ignore_index=True)
    variants[names] = variants[names].astype(float)
    references = [global_value(result.design[name]) for name in names]
    for i, (name, reference) in enumerate(zip(names, references, strict=True)):
        variants.loc[i, name] = reference
    shifted = result.estimator.predict_proba(variants)[:, 1]
    drivers = [
        Driver(variable=name, value=_value(x, name), reference=ref, effect=float(base - p))
        for name, ref, p in zip(names, references, shifted, strict=True)
        if not np.isclose(base, p, rtol=0, atol=1e-12)
    ]
    raising = sorted((d for d in drivers if d.effect > 0), key=lambda d: -d.effect)[:TOP]
    lowering = sorted((d for d in drivers if d.effect < 0), key=lambda d: d.effect)[:TOP]
    return raising, lowering


def _change(
    current: Forecast,
    previous: tuple[pd.Series, Forecast] | None,
    row: pd.Series,
) -> tuple[list[Driver], float | None]:
    """Split the yearly change into moved variables (this year's model) and the refit."""
    if previous is None:
        return [], None
    earlier_row, earlier = previous
    now = _model_row(current, str(row["country"]))
    then = _model_row(earlier, str(row["country"]))
    estimator = current.estimator
    names = _inputs(estimator)
    p_then_same_model = float(estimator.predict_proba(then)[0, 1])
    drivers = []
    for name in names:
        before, after = then[name].iloc[0], now[name].iloc[0]
        if (pd.isna(before) and pd.isna(after)) or before == after:
            continue
        swapped = then.copy()
        swapped[name] = after
        moved = float(estimator.predict_proba(swapped)[0, 1]) - p_then_same_model
        drivers.append(Driver(variable=name, value=_num(after), reference=_num(before),
                              effect=moved))  # fmt: skip
    drivers.sort(key=lambda d: abs(d.effect), reverse=True)
    refit = p_then_same_model - float(earlier_row["probability"])
    return drivers, refit


def _num(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def log_odds(probability: float) -> float:
    """Log-odds of a probability (for display next to contributions)."""
    return float(logit(probability))
