"""Shallow, strongly regularised gradient-boosted trees (LightGBM), tuned walk-forward.

The tree count is chosen on walk-forward inner folds by year (:func:`vigil.risk.splits.
forward_folds`), held-out predictions fit the calibration map, and SHAP values (LightGBM's
``pred_contrib``) make the model :class:`vigil.risk.explain.Explainable`.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import lightgbm as lgb
import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from vigil.risk.calibration import METHODS, apply_map, fit_map
from vigil.risk.estimators import Array, _BinaryRiskClassifier, _usable, _years_of
from vigil.risk.splits import TIME_COLUMN, forward_folds


def _recency(years: Array, half_life: float | None) -> Array | None:
    """Sample weights halving every ``half_life`` years back from the latest (None: equal)."""
    if half_life is None:
        return None
    return np.asarray(0.5 ** ((years.max() - years) / half_life))


class BoostedTrees(_BinaryRiskClassifier):
    """Shallow, strongly regularised LightGBM with optional monotone constraints.

    The number of trees is chosen on walk-forward inner folds: one fit per fold
    records the held-out log loss after every tree, and the count with the lowest
    total loss is used for the final fit on all rows; the held-out predictions at
    that count fit the ``calibration`` map. ``monotone`` maps column names to +1 / −1
    for risk factors whose direction is established.

    With ``n_seeds`` > 1 the final fit is repeated with seeds ``random_state``,
    ``random_state + 1``, … and the boosters' log-odds are averaged. Row and column
    subsampling make a single booster's ranking depend on its seed; averaging removes
    most of that noise and keeps SHAP values additive (they average too).
    """

    def __init__(
        self,
        columns: Sequence[str] | None = None,
        monotone: dict[str, int] | None = None,
        learning_rate: float = 0.08,
        max_trees: int = 200,
        num_leaves: int = 4,
        min_child_samples: int = 100,
        subsample: float = 0.8,
        colsample_bytree: float = 0.5,
        reg_lambda: float = 5.0,
        n_folds: int = 2,
        block: int = 6,
        calibration: str | None = None,
        half_life: float | None = None,
        n_seeds: int = 1,
        random_state: int = 0,
        time_column: str = TIME_COLUMN,
    ) -> None:
        self.columns = columns
        self.monotone = monotone
        self.half_life = half_life
        self.learning_rate = learning_rate
        self.max_trees = max_trees
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.n_folds = n_folds
        self.block = block
        self.calibration = calibration
        self.n_seeds = n_seeds
        self.random_state = random_state
        self.time_column = time_column

    def _booster(self, n_trees: int, seed: int = 0) -> lgb.LGBMClassifier:
        constraints = None
        if self.monotone and self.columns is not None:
            constraints = [int(self.monotone.get(c, 0)) for c in self.columns]
        return lgb.LGBMClassifier(
            n_estimators=n_trees,
            learning_rate=self.learning_rate,
            num_leaves=self.num_leaves,
            min_child_samples=self.min_child_samples,
            subsample=self.subsample,
            subsample_freq=1,
            colsample_bytree=self.colsample_bytree,
            reg_lambda=self.reg_lambda,
            monotone_constraints=constraints,
            random_state=self.random_state + seed,
            deterministic=True,
            force_row_wise=True,
            n_jobs=1,
            verbose=-1,
        )

    _parameter_constraints: dict[str, list[Any]] = {  # noqa: RUF012
        "columns": ["array-like", None],
        "monotone": [dict, None],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_trees": [Interval(Integral, 1, None, closed="left")],
        "num_leaves": [Interval(Integral, 2, None, closed="left")],
        "min_child_samples": [Interval(Integral, 1, None, closed="left")],
        "subsample": [Interval(Real, 0, 1, closed="right")],
        "colsample_bytree": [Interval(Real, 0, 1, closed="right")],
        "reg_lambda": [Interval(Real, 0, None, closed="left")],
        "n_folds": [Interval(Integral, 1, None, closed="left")],
        "block": [Interval(Integral, 1, None, closed="left")],
        "calibration": [StrOptions(set(METHODS)), None],
        "half_life": [Interval(Real, 0, None, closed="neither"), None],
        "n_seeds": [Interval(Integral, 1, None, closed="left")],
        "random_state": [Interval(Integral, 0, None, closed="left")],
        "time_column": [str],
    }

    def fit(self, X: Any, y: Any) -> BoostedTrees:
        self._validate_params()
        values, target = self._validate_fit(X, y)
        years = _years_of(X, len(values), self.time_column)
        self.n_trees_, held_out = self._choose_trees(values, target, years)
        self.calibration_ = fit_map(*held_out, method=self.calibration)
        weight = _recency(years, self.half_life)
        self.boosters_ = [
            self._booster(self.n_trees_, k).fit(values, target, sample_weight=weight)
            for k in range(self.n_seeds)
        ]
        self.bias_ = float(self._shap(values[:1])[0, -1])
        return self

    def _shap(self, X: Array) -> Array:
        """SHAP values (last column: base value) averaged over the boosters, in log-odds."""
        shap = [np.asarray(b.predict(X, pred_contrib=True)) for b in self.boosters_]
        return np.asarray(np.mean(shap, axis=0))

    def _choose_trees(self, X: Array, y: Array, years: Array) -> tuple[int, tuple[Array, Array]]:
        """The tree count with the lowest held-out log loss, and its held-out predictions."""
        fitted, losses = [], []
        for train, test in forward_folds(years, self.n_folds, self.block):
            if not _usable(y, train, test):
                continue
            model = self._booster(self.max_trees)
            weight = _recency(years[train], self.half_life)
            model.fit(
                X[train], y[train], sample_weight=weight, eval_X=(X[test],), eval_y=(y[test],)
            )
            curve = np.asarray(model.evals_result_["valid_0"]["binary_logloss"])
            fitted.append((model, test))
            losses.append(curve * len(test))
        if not fitted:
            return max(1, self.max_trees // 4), (np.empty(0), np.empty(0))
        best = int(np.argmin(np.sum(losses, axis=0))) + 1
        p = [np.asarray(m.predict_proba(X[test], num_iteration=best))[:, 1] for m, test in fitted]
        return best, (np.concatenate(p), np.concatenate([y[test] for _, test in fitted]))

    def _risk(self, X: Array) -> Array:
        z = np.mean([np.asarray(b.predict(X, raw_score=True)) for b in self.boosters_], axis=0)
        return apply_map(1.0 / (1.0 + np.exp(-z)), self.calibration_)

    reference_label_ = "the training window's average log-odds (SHAP, LightGBM pred_contrib)"
    #: SHAP values are measured from the expected value, not from a value per input.
    contribution_reference_ = None

    @property
    def reference_logit_(self) -> float:
        """Expected raw log-odds over the training rows: the SHAP base value."""
        check_is_fitted(self)
        return float(self.bias_)

    def contributions(self, X: Any) -> Array:
        """SHAP values in log-odds (before calibration), one column per input."""
        check_is_fitted(self)
        return self._shap(self._validate(X, reset=False))[:, :-1]
