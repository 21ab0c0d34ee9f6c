"""The model registry: fresh estimators, no future columns, and the default-model rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from vigil.data import bundled
from vigil.risk.estimators import _columns_of
from vigil.risk.evaluation import evaluate
from vigil.risk.features import FUTURE_OUTCOMES
from vigil.risk.models import MODELS, SUMMARY, choose_default, default_model, load_summary
from vigil.risk.table import TARGET

SMALL_SUMMARY = Path(__file__).parents[1] / "fixtures" / "backtest" / "summary-2019-2020.json"


@pytest.mark.parametrize("name", list(MODELS))
def test_registry_builds_fresh_unfitted_estimators(table, name):
    model = MODELS[name].make(0)
    clone(model)
    with pytest.raises(NotFittedError):
        model.predict_proba(table.frame.head())


@pytest.mark.parametrize("name", list(MODELS))
def test_models_never_read_outcome_columns(name):
    columns = _columns_of(MODELS[name].make(0))
    assert columns is not None, "every model must name the columns it reads"
    assert not set(columns) & {*FUTURE_OUTCOMES, TARGET}


def scores(auc: float, brier: float, mean: float, observed: float = 0.015) -> dict[str, float]:
    return {"auc": auc, "brier": brier, "mean_predicted": mean, "observed": observed}


def test_default_is_the_best_auc_among_models_no_worse_than_ewp():
    pooled = {
        "ewp": scores(0.83, 0.0145, 0.020),  # mean 33 % too high
        "logit": scores(0.84, 0.0144, 0.019),
        "boost": scores(0.86, 0.0150, 0.016),  # worse Brier than ewp
        "ensemble": scores(0.87, 0.0140, 0.022),  # mean further off than ewp's
        "battle": scores(0.99, 0.0100, 0.015),  # a baseline is never the default
    }
    assert choose_default(pooled) == "logit"


def test_a_model_within_15_percent_of_the_observed_rate_is_calibrated_enough():
    pooled = {"ewp": scores(0.83, 0.0145, 0.0150), "boost": scores(0.85, 0.0144, 0.0170)}
    assert choose_default(pooled) == "boost"


def test_default_ties_go_to_the_simpler_model_and_none_eligible_means_ewp():
    tie = {
        "ewp": scores(0.83, 0.0145, 0.025),
        "boost": scores(0.85, 0.0140, 0.015),
        "logit": scores(0.85, 0.0140, 0.015),
    }
    assert choose_default(tie) == "logit"
    assert choose_default({"ewp": scores(0.83, 0.0145, 0.025)}) == "ewp"


def test_bundled_summary_names_the_default_the_rule_picks():
    summary = load_summary()
    assert summary["design"]["start"] == 1993 and summary["design"]["end"] == 2022
    assert set(summary["pooled"]) == set(MODELS)
    assert choose_default(summary["pooled"]) == summary["default"] == default_model()
    assert bundled(SUMMARY).exists()


def test_summary_is_reproducible_from_the_table(table):
    stored = json.loads(SMALL_SUMMARY.read_text(encoding="utf-8"))
    design = stored["design"]
    result = evaluate(table, design["models"], design["start"], design["end"],
                      seed=design["seed"], n_boot=design["n_boot"], n_jobs=1)  # fmt: skip
    fresh = result.summary()
    assert fresh["design"] == design
    assert fresh["default"] == stored["default"]
    for name, row in stored["pooled"].items():
        assert fresh["pooled"][name] == pytest.approx(row, abs=1e-6)
