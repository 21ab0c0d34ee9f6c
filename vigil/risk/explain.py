"""Why a country's risk is what it is: drivers, counterfactuals and the change since last year.

Three complementary views of one forecast:

* **contributions** — additive log-odds contributions of each model input against
  a stated reference (the training-window mean for linear models; the model's
  expected value for tree models, i.e. SHAP values); only :class:`Explainable` models
  offer them;
* **counterfactual shifts** — how the probability moves when one variable is set
  to the global value of the base year (the cross-country mean, or the mode for
  variables with at most three distinct values), everything else unchanged;
* **change since last year** — last year's forecast (its own refit) against this
  year's, and the part of the change each variable that moved accounts for under
  this year's model; the rest is the refit of the model itself. Calendar-time trend
  terms move every year by construction, so they are not listed as causes.

:func:`explain_all` computes all three for every country of a forecast with one batched
prediction per view; :func:`explain` is one row of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from vigil.risk.forecast import ForecastPair, forecast_pair
from vigil.risk.table import RiskTable
from vigil.risk.variables import TREND, label

TOP = 5
NO_DECOMPOSITION = "this model has no additive decomposition"


@runtime_checkable
class Explainable(Protocol):
    """A fitted model whose log-odds split additively over its inputs.

    Row sums of ``contributions(X)`` plus ``reference_logit_`` give each row's log-odds (before
    any calibration); ``contribution_reference_`` holds the reference value of each input, or
    is None where the reference is not a value per input (SHAP's expected value).
    """

    feature_names_in_: Any
    reference_label_: str

    @property
    def reference_logit_(self) -> float: ...

    @property
    def contribution_reference_(self) -> np.ndarray | None: ...

    def contributions(self, X: Any) -> np.ndarray: ...


@dataclass(frozen=True)
class Driver:
    """One variable's part in a forecast."""

    variable: str
    value: float | None
    reference: float | None
    effect: float

    @property
    def label(self) -> str:
        """The variable's plain-language name from the predictor registry."""
        return label(self.variable)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the label (what pages and briefs show)."""
        return {"variable": self.variable, "label": self.label, "value": self.value,
                "reference": self.reference, "effect": self.effect}  # fmt: skip


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
    seed: int,
) -> Explanation:
    """Explain one country's forecast (base year defaults to the table's last year)."""
    pair = forecast_pair(table, model, base_year, seed=seed)
    row = pair.current.for_country(country)
    [found] = explain_all(pair, countries=[str(row["country"])])
    return found


def explain_all(pair: ForecastPair, countries: Sequence[str] | None = None) -> list[Explanation]:
    """Explanations of every country of ``pair.current`` (or of ``countries``), in rank order."""
    current = pair.current
    design = current.design.reset_index(drop=True)
    rows = design if countries is None else design[design["country"].isin(list(countries))]
    rows = rows.reset_index(drop=True)
    names = inputs(current.estimator)
    references = [global_value(design[name]) for name in names]
    shifts = _shifts(current.estimator, rows, names, references)
    contributions = _contributions(current.estimator, rows)
    changes = _changes(pair, rows, names)
    index = {str(c): i for i, c in enumerate(rows["country"])}
    out = []
    ranking: list[Any] = list(current.frame.itertuples(index=False))
    for ranked in ranking:
        i = index.get(str(ranked.country))
        if i is None:
            continue
        x = rows.iloc[i]
        up, down = _counterfactuals(x, names, references, shifts[i])
        change, refit, before = changes.get(str(ranked.country), ([], None, None))
        out.append(
            Explanation(
                country=str(ranked.country),
                iso3=None if pd.isna(ranked.iso3) else str(ranked.iso3),
                base_year=int(ranked.base_year),
                model=current.provenance.model,
                probability=float(ranked.probability),
                rank=int(ranked.rank),
                n_countries=len(current.frame),
                previous_probability=None if before is None else float(before["probability"]),
                previous_rank=None if before is None else int(before["rank"]),
                **_contribution_view(current.estimator, contributions, x, i),
                counterfactual_up=up,
                counterfactual_down=down,
                change_drivers=change,
                change_from_refit=refit,
                provenance=current.provenance.to_dict(),
            )
        )
    return out


def inputs(estimator: Any) -> list[str]:
    """The names of the columns a fitted model reads, in its order."""
    return [str(name) for name in estimator.feature_names_in_]


def global_value(column: pd.Series) -> float:
    """The cross-country mean, or the mode for variables with at most three values."""
    values = column.dropna()
    if values.nunique() <= 3:
        return float(values.mode().iloc[0])
    return float(values.mean())


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _shifts(
    estimator: Any, rows: pd.DataFrame, names: list[str], references: list[float]
) -> np.ndarray:
    """Each row's probability minus that with one input at its global value (n × k)."""
    k = len(names)
    base = estimator.predict_proba(rows)[:, 1]
    variants = rows.loc[rows.index.repeat(k)].reset_index(drop=True)
    variants[names] = variants[names].astype(float)
    for j, (name, reference) in enumerate(zip(names, references, strict=True)):
        variants.loc[j::k, name] = reference
    shifted = estimator.predict_proba(variants)[:, 1].reshape(len(rows), k)
    return np.asarray(base[:, None] - shifted)


def _counterfactuals(
    x: pd.Series, names: list[str], references: list[float], shifts: np.ndarray
) -> tuple[list[Driver], list[Driver]]:
    """The inputs whose global value would lower (up) or raise (down) the risk most."""
    drivers = [
        Driver(variable=name, value=_number(x.get(name)), reference=ref, effect=float(shift))
        for name, ref, shift in zip(names, references, shifts, strict=True)
        if not np.isclose(shift, 0.0, rtol=0, atol=1e-12)
    ]
    raising = sorted((d for d in drivers if d.effect > 0), key=lambda d: -d.effect)[:TOP]
    lowering = sorted((d for d in drivers if d.effect < 0), key=lambda d: d.effect)[:TOP]
    return raising, lowering


def _contributions(estimator: Any, rows: pd.DataFrame) -> np.ndarray | None:
    """Additive log-odds contributions of every row, if the model offers them."""
    if not isinstance(estimator, Explainable):
        return None
    return np.asarray(estimator.contributions(rows))


def _contribution_view(
    estimator: Any, values: np.ndarray | None, x: pd.Series, i: int
) -> dict[str, Any]:
    """The contributions of row ``i``, largest first, with the reference they are measured from."""
    if values is None or not isinstance(estimator, Explainable):
        return {"contributions": [], "reference": NO_DECOMPOSITION, "reference_probability": None}
    names = inputs(estimator)
    means = estimator.contribution_reference_
    drivers = [
        Driver(
            variable=name,
            value=_number(x.get(name)),
            reference=None if means is None else float(means[j]),
            effect=float(values[i, j]),
        )
        for j, name in enumerate(names)
    ]
    drivers.sort(key=lambda d: abs(d.effect), reverse=True)
    return {
        "contributions": drivers,
        "reference": estimator.reference_label_,
        "reference_probability": float(expit(estimator.reference_logit_)),
    }


Change = tuple[list[Driver], float | None, Any]


def _changes(pair: ForecastPair, rows: pd.DataFrame, names: list[str]) -> dict[str, Change]:
    """Per country: the moved variables' parts in the yearly change, the refit's part, and
    last year's forecast row."""
    if pair.previous is None:
        return {}
    then = pair.previous.design.drop_duplicates("country").set_index("country")
    before = pair.previous.frame.drop_duplicates("country").set_index("country")
    pairs = [(now, then.loc[now["country"]]) for _, now in rows.iterrows()
             if now["country"] in then.index and now["country"] in before.index]  # fmt: skip
    if not pairs:
        return {}
    estimator = pair.current.estimator
    olds = pd.DataFrame([old for _, old in pairs]).reset_index(names="country")
    p_then = estimator.predict_proba(olds)[:, 1]
    swaps, keys = [], []
    for i, (now, old) in enumerate(pairs):
        for name in names:
            a, b = old[name], now[name]
            if name in TREND or (pd.isna(a) and pd.isna(b)) or a == b:
                continue
            swapped = olds.iloc[i].copy()
            swapped[name] = b
            swaps.append(swapped)
            keys.append((i, name, a, b))
    moved = estimator.predict_proba(pd.DataFrame(swaps))[:, 1] if swaps else np.empty(0)
    out: dict[str, Change] = {}
    for i, (now, _) in enumerate(pairs):
        country = str(now["country"])
        found = [
            Driver(variable=name, value=_number(b), reference=_number(a),
                   effect=float(p) - float(p_then[i]))
            for (j, name, a, b), p in zip(keys, moved, strict=True)
            if j == i
        ]  # fmt: skip
        found.sort(key=lambda d: abs(d.effect), reverse=True)
        row: Any = before.loc[country]
        out[country] = (found, float(p_then[i]) - float(row["probability"]), row)
    return out


def log_odds(probability: float) -> float:
    """Log-odds of a probability (for display next to contributions)."""
    return float(logit(probability))
