"""Risk estimators beyond the public model: baselines, penalised logit, boosted trees, ensemble.

All follow the scikit-learn contract: ``__init__`` only stores parameters, ``fit``
learns attributes ending in ``_`` and returns ``self``, ``predict_proba`` before
``fit`` raises ``NotFittedError``. Each takes an optional ``columns`` list: with a
DataFrame it selects those columns by name; with ``columns=None`` it uses every
column (so scikit-learn's estimator checks can drive it with plain arrays).
Every hyper-parameter that is tuned is tuned by cross-validation inside the data
given to ``fit`` — folds are whole years, so a year's countries stay together.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from vigil.risk.calibration import apply_map, fit_map

Array = np.ndarray


#: What linear models' contributions are measured from.
MEAN_REFERENCE = "every variable at its training-window mean"


class _BinaryRiskClassifier(ClassifierMixin, BaseEstimator):
    """Shared plumbing: column selection, binary label encoding, probability output."""

    columns: Sequence[str] | None

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.allow_nan = True
        return tags

    def _select(self, X: Any) -> Any:
        if self.columns is not None and isinstance(X, pd.DataFrame):
            return X[list(self.columns)]
        return X

    def _validate(self, X: Any, reset: bool) -> Array:
        checked = validate_data(
            self, self._select(X), reset=reset, ensure_all_finite="allow-nan", dtype=np.float64
        )
        return np.asarray(checked)

    def _validate_fit(self, X: Any, y: Any) -> tuple[Array, Array]:
        """Check X and y together; learn ``classes_``; return X and y coded 0/1."""
        checked, target = validate_data(
            self, self._select(X), y, ensure_all_finite="allow-nan", dtype=np.float64
        )
        check_classification_targets(target)
        kind = type_of_target(target, input_name="y", raise_unknown=True)
        if kind != "binary":
            raise ValueError(
                "Only binary classification is supported (onset or not). The type of the "
                f"target is {kind}."
            )
        self.classes_, encoded = np.unique(target, return_inverse=True)
        return np.asarray(checked), np.asarray(encoded, dtype=int)

    def predict_proba(self, X: Any) -> Array:
        """Probability of each class; column 1 is the risk of an onset."""
        check_is_fitted(self)
        risk = self._risk(self._validate(X, reset=False))
        return np.column_stack([1.0 - risk, risk])

    def predict(self, X: Any) -> Array:
        check_is_fitted(self)
        return np.asarray(self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)])

    def _risk(self, X: Array) -> Array:
        raise NotImplementedError


def forward_folds(
    years: Array, n_folds: int = 3, block: int = 5, gap: int = 2
) -> list[tuple[Array, Array]]:
    """Walk-forward inner folds: validate on the last ``n_folds`` blocks of ``block`` years,
    each fitted on the years ending ``gap`` years before its block (as a real forecast is)."""
    last = int(years.max())
    folds = []
    for k in reversed(range(n_folds)):
        high = last - k * block
        low = high - block + 1
        folds.append(
            (np.flatnonzero(years <= low - gap), np.flatnonzero((years >= low) & (years <= high)))
        )
    return folds


def _years_of(X: Any, n_rows: int) -> Array:
    """The ``year`` column when X has one; otherwise row order stands in for 20 years."""
    if isinstance(X, pd.DataFrame) and "year" in X.columns:
        return X["year"].to_numpy()
    return np.arange(n_rows) * 20 // max(n_rows, 1)


def _recency(years: Array, half_life: float | None) -> Array | None:
    """Sample weights halving every ``half_life`` years back from the latest (None: equal)."""
    if half_life is None:
        return None
    return np.asarray(0.5 ** ((years.max() - years) / half_life))


def _usable(y: Array, train: Array, test: Array) -> bool:
    return len(np.unique(y[train])) == 2 and len(np.unique(y[test])) == 2


class ColumnScore(_BinaryRiskClassifier):
    """Trivial baseline: risk ranks by one column, mapped to a probability by a 1-D logit.

    ``column`` is a name (with a DataFrame) or a position. The logistic map keeps the
    ranking of the column (when its slope is positive) and makes the Brier score meaningful.
    """

    def __init__(self, column: str | int = 0) -> None:
        self.column = column

    @property
    def columns(self) -> Sequence[str] | None:  # type: ignore[override]
        return [self.column] if isinstance(self.column, str) else None

    def fit(self, X: Any, y: Any) -> ColumnScore:
        values, target = self._validate_fit(X, y)
        x = self._column(values)
        self.logit_ = LogisticRegression(C=1e6).fit(x, target)
        return self

    def _column(self, values: Array) -> Array:
        index = 0 if isinstance(self.column, str) else int(self.column)
        return np.nan_to_num(values[:, [index]], nan=0.0)

    def _risk(self, X: Array) -> Array:
        return np.asarray(self.logit_.predict_proba(self._column(X))[:, 1])


class PenalisedLogit(_BinaryRiskClassifier):
    """L2-penalised logistic regression on standardised inputs, tuned and calibrated walk-forward.

    Missing values are imputed with the training median. The penalty ``C`` is the one
    of ``Cs`` with the lowest log loss over walk-forward inner folds (see
    :func:`forward_folds`); the same out-of-sample predictions then fit the
    ``calibration`` map (see :mod:`vigil.risk.calibration`).
    """

    def __init__(
        self,
        columns: Sequence[str] | None = None,
        Cs: Sequence[float] = (0.003, 0.01, 0.03, 0.1),
        n_folds: int = 3,
        calibration: str | None = None,
    ) -> None:
        self.columns = columns
        self.Cs = Cs
        self.n_folds = n_folds
        self.calibration = calibration

    def fit(self, X: Any, y: Any) -> PenalisedLogit:
        values, target = self._validate_fit(X, y)
        years = _years_of(X, len(values))
        with threadpool_limits(1):
            self.C_, held_out = self._choose_C(values, target, years)
            self.calibration_ = fit_map(*held_out, method=self.calibration)
            self.prepare_ = _prepare().fit(values)
            self.logit_ = LogisticRegression(C=self.C_, max_iter=1000)
            self.logit_.fit(self.prepare_.transform(values), target)
        return self

    def _choose_C(self, X: Array, y: Array, years: Array) -> tuple[float, tuple[Array, Array]]:
        """The C with the lowest held-out log loss, and that C's held-out predictions."""
        predictions: list[list[Array]] = [[] for _ in self.Cs]
        truth: list[Array] = []
        for train, test in forward_folds(years, self.n_folds):
            if not _usable(y, train, test):
                continue
            prepare = _prepare().fit(X[train])
            Z_train, Z_test = prepare.transform(X[train]), prepare.transform(X[test])
            for i, C in enumerate(self.Cs):
                model = LogisticRegression(C=C, max_iter=1000).fit(Z_train, y[train])
                predictions[i].append(model.predict_proba(Z_test)[:, 1])
            truth.append(y[test])
        if not truth:
            return float(self.Cs[0]), (np.empty(0), np.empty(0))
        outcome = np.concatenate(truth)
        losses = [_log_loss_sum(outcome, np.concatenate(p)) for p in predictions]
        best = int(np.argmin(losses))
        return float(self.Cs[best]), (np.concatenate(predictions[best]), outcome)

    def _risk(self, X: Array) -> Array:
        raw = self.logit_.predict_proba(self.prepare_.transform(X))[:, 1]
        return apply_map(raw, self.calibration_)

    @property
    def mean_(self) -> Array:
        """Training-window means of the inputs: the reference of :meth:`contributions`."""
        check_is_fitted(self)
        return np.asarray(self.prepare_.named_steps["scale"].mean_)

    reference_label_ = MEAN_REFERENCE

    @property
    def contribution_reference_(self) -> Array:
        """The reference value of each input: its training-window mean."""
        return self.mean_

    @property
    def reference_logit_(self) -> float:
        """Log-odds with every input at its training mean (before calibration)."""
        check_is_fitted(self)
        return float(self.logit_.intercept_[0])

    def contributions(self, X: Any) -> Array:
        """Per-input log-odds contributions against the training means (before calibration)."""
        check_is_fitted(self)
        z = self.prepare_.transform(self._validate(X, reset=False))
        return np.asarray(z * self.logit_.coef_[0])


def _prepare() -> Pipeline:
    return Pipeline(
        [
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler()),
        ]
    )


def _log_loss_sum(y: Array, p: Array) -> float:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).sum())


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

    def fit(self, X: Any, y: Any) -> BoostedTrees:
        if not isinstance(self.n_seeds, int | np.integer) or self.n_seeds < 1:
            raise ValueError(f"n_seeds must be a positive integer; received {self.n_seeds!r}")
        values, target = self._validate_fit(X, y)
        years = _years_of(X, len(values))
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


def _columns_of(model: Any) -> Sequence[str] | None:
    """The named columns a (possibly wrapped) model reads, if it declares them."""
    inner = getattr(model, "estimator", None)
    if inner is not None:
        return _columns_of(inner)
    names = getattr(model, "columns", None)
    return list(names) if names is not None else None


class Ensemble(_BinaryRiskClassifier):
    """Average of member models' probabilities (each member sees the full input)."""

    def __init__(
        self, members: Sequence[tuple[str, Any]] = (), weights: Sequence[float] | None = None
    ) -> None:
        self.members = members
        self.weights = weights

    @property
    def columns(self) -> Sequence[str] | None:  # type: ignore[override]
        """Every column a member reads (None when a member reads all columns)."""
        names: list[str] = []
        for _, model in self.members:
            member = _columns_of(model)
            if member is None:
                return None
            names.extend(c for c in member if c not in names)
        return names

    def fit(self, X: Any, y: Any) -> Ensemble:
        if not self.members:
            raise ValueError("Ensemble needs at least one member; received members=()")
        self._validate_fit(X, y)
        self.members_ = [(name, clone(model).fit(X, y)) for name, model in self.members]
        return self

    def predict_proba(self, X: Any) -> Array:
        check_is_fitted(self)
        self._validate(X, reset=False)
        weights = np.asarray(
            self.weights if self.weights is not None else [1.0] * len(self.members_)
        )
        risks = np.column_stack([m.predict_proba(X)[:, 1] for _, m in self.members_])
        risk = risks @ (weights / weights.sum())
        return np.column_stack([1.0 - risk, risk])
