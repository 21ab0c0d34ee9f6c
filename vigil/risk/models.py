"""The registry of structural risk models and the rule that picks the default.

Each entry builds a fresh, unfitted scikit-learn estimator from a seed. Models read
their columns by name from the design frame (the table plus
:func:`vigil.risk.features.add_features`), so they can be handed the whole frame.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from vigil.data import bundled
from vigil.errors import DataError, UsageError
from vigil.risk.boosted import BoostedTrees
from vigil.risk.estimators import ColumnScore, Ensemble, PenalisedLogit
from vigil.risk.ewp import EWPModel
from vigil.risk.variables import EWP_PREDICTORS, MONOTONE, TREND

#: The summary ``vigil backtest --summary`` writes (all models, 1993–2022); read by default_model.
SUMMARY = "backtest/summary.json"
#: The model whose Brier score the default must match or beat.
REFERENCE = "ewp"
#: How far (relative) the default's mean predicted probability may stray from the observed rate.
CALIBRATION_TOLERANCE = 0.15

#: Engineered features the improved models add to the public predictors.
HISTORY_FEATURES: tuple[str, ...] = (
    "years_since_onset",
    "years_since_episode",
    "battle_max_5y",
    "d1.battledeaths.log2",
    "d3.battledeaths.log2",
    "d3.freediscussion",
    "d5.freediscussion",
    "region_onsets_5y",
    "region_ongoing",
    "subregion_onsets_5y",
    "subregion_ongoing",
    "world_ongoing",
)
#: Public predictors without the calendar-time trend (trees extrapolate a trend badly).
TIMELESS = tuple(p for p in EWP_PREDICTORS if p not in TREND)
#: Boosters averaged in the boosted model (seeds differ); one booster's ranking is seed noise.
BOOST_SEEDS = 5


class RiskModel(Protocol):
    """What every registered model is: a scikit-learn binary classifier of onset risk.

    Column 1 of ``predict_proba`` is the probability of an onset within the horizon.
    """

    def fit(self, X: Any, y: Any) -> Any: ...

    def predict_proba(self, X: Any) -> np.ndarray: ...

    def get_params(self, deep: bool = True) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ModelSpec:
    """A named model: what it is and how to build a fresh, unfitted estimator.

    ``complexity`` orders models from simplest (0) for tie-breaking; ``baseline``
    marks the trivial rankings that are scored but never chosen as the default.
    """

    name: str
    description: str
    make: Callable[[int], RiskModel]
    complexity: int = 1
    baseline: bool = False


def _logit(seed: int) -> PenalisedLogit:
    return PenalisedLogit(columns=(*EWP_PREDICTORS, *HISTORY_FEATURES), calibration=None)


def _boost(seed: int) -> BoostedTrees:
    return BoostedTrees(
        columns=(*TIMELESS, *HISTORY_FEATURES),
        monotone=MONOTONE,
        n_seeds=BOOST_SEEDS,
        random_state=seed,
    )


def _ensemble(seed: int) -> Ensemble:
    return Ensemble(members=[("ewp", EWPModel(random_state=seed)), ("boost", _boost(seed))])


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "ewp",
            "Early Warning Project public model: elastic-net logit, λ by 10-fold CV",
            lambda seed: EWPModel(random_state=seed),
            complexity=1,
        ),
        ModelSpec(
            "logit",
            "L2 logit on the public predictors + history features, C by walk-forward inner folds",
            _logit,
            complexity=2,
        ),
        ModelSpec(
            "boost",
            "shallow monotone LightGBM on predictors + history features, trees by walk-forward "
            "inner folds, log-odds averaged over 5 seeds",
            _boost,
            complexity=3,
        ),
        ModelSpec(
            "ensemble",
            "mean of the ewp and boost probabilities",
            _ensemble,
            complexity=4,
        ),
        ModelSpec(
            "battle",
            "baseline: ranks countries by battle deaths (log2)",
            lambda seed: ColumnScore("battledeaths.log2"),
            complexity=0,
            baseline=True,
        ),
        ModelSpec(
            "ongoing",
            "baseline: ranks countries by ongoing mass killings (log2 count)",
            lambda seed: ColumnScore("mk_ongoing_count_log2"),
            complexity=0,
            baseline=True,
        ),
    )
}


def get_model(name: str) -> ModelSpec:
    """The model called ``name``, or a UsageError listing the known ones."""
    try:
        return MODELS[name]
    except KeyError:
        raise UsageError(
            f"unknown model {name!r}; choose one of: {', '.join(sorted(MODELS))}"
        ) from None


def make_model(name: str, seed: int = 0) -> RiskModel:
    """A fresh, unfitted estimator of the model called ``name``."""
    return get_model(name).make(seed)


def load_summary(path: str | Path | None = None) -> dict[str, Any]:
    """The stored backtest summary (the bundled one by default)."""
    source = Path(path) if path is not None else bundled(SUMMARY)
    try:
        return dict(json.loads(source.read_text(encoding="utf-8")))
    except (OSError, ValueError) as err:
        raise DataError(f"cannot read the backtest summary: {err}", path=str(source)) from err


def calibration_error(scores: Mapping[str, float]) -> float:
    """Relative gap between the mean predicted probability and the observed onset rate."""
    return abs(scores["mean_predicted"] / scores["observed"] - 1)


def choose_default(pooled: Mapping[str, Mapping[str, float]]) -> str:
    """Apply the default-model rule to pooled backtest scores by model name.

    A non-baseline model is eligible when it does no harm against the public model:
    its Brier score is at most the public model's, and its mean predicted probability
    is within 15 % of the observed onset rate or at least as close to it as the public
    model's. The eligible model with the highest pooled ROC AUC is the default; ties
    go to the simpler model. The public model itself is always eligible.
    """
    if REFERENCE not in pooled:
        return REFERENCE
    reference = pooled[REFERENCE]
    tolerance = max(CALIBRATION_TOLERANCE, calibration_error(reference))
    eligible = [
        name
        for name, scores in pooled.items()
        if name in MODELS
        and not MODELS[name].baseline
        and scores["brier"] <= reference["brier"]
        and calibration_error(scores) <= tolerance
    ]
    return max(eligible, key=lambda n: (round(pooled[n]["auc"], 6), -MODELS[n].complexity))


def default_model(summary: str | Path | None = None) -> str:
    """The model used when none is named: :func:`choose_default` on the stored summary."""
    try:
        stored = load_summary(summary)
    except DataError:
        if summary is not None:
            raise
        return REFERENCE
    return choose_default(stored["pooled"])
