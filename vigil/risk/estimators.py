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
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from vigil.risk.calibration import METHODS, apply_map, fit_map
from vigil.risk.splits import TIME_COLUMN, forward_folds

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


def _years_of(X: Any, n_rows: int, column: str) -> Array:
    """The time ``column`` when X has one; otherwise row order stands in for 20 years."""
    if isinstance(X, pd.DataFrame) and column in X.columns:
        return X[column].to_numpy()
    return np.arange(n_rows) * 20 // max(n_rows, 1)


def _usable(y: Array, train: Array, test: Array) -> bool:
    return len(np.unique(y[train])) == 2 and len(np.unique(y[test])) == 2


class ColumnScore(_BinaryRiskClassifier):
    """Trivial baseline: risk ranks by one column, mapped to a probability by a 1-D logit.

    ``column`` is a name (with a DataFrame) or a position. The logistic map keeps the
    ranking of the column (when its slope is positive) and makes the Brier score meaningful.
    """

    _parameter_constraints: dict[str, list[Any]] = {  # noqa: RUF012
        "column": [str, Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, column: str | int = 0) -> None:
        self.column = column

    @property
    def columns(self) -> Sequence[str] | None:  # type: ignore[override]
        return [self.column] if isinstance(self.column, str) else None

    def fit(self, X: Any, y: Any) -> ColumnScore:
        self._validate_params()
        values, target = self._validate_fit(X, y)
        x = self._column(values)
        self.logit_ = LogisticRegression(C=1e6).fit(x, target)
        return self

    def _column(self, values: Array) -> Array:
        index = 0 if isinstance(self.column, str) else int(self.column)
        return np.asarray(np.nan_to_num(values[:, [index]], nan=0.0))

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
        time_column: str = TIME_COLUMN,
    ) -> None:
        self.columns = columns
        self.Cs = Cs
        self.n_folds = n_folds
        self.calibration = calibration
        self.time_column = time_column

    _parameter_constraints: dict[str, list[Any]] = {  # noqa: RUF012
        "columns": ["array-like", None],
        "Cs": ["array-like"],
        "n_folds": [Interval(Integral, 1, None, closed="left")],
        "calibration": [StrOptions(set(METHODS)), None],
        "time_column": [str],
    }

    def fit(self, X: Any, y: Any) -> PenalisedLogit:
        self._validate_params()
        values, target = self._validate_fit(X, y)
        years = _years_of(X, len(values), self.time_column)
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


def _columns_of(model: Any) -> Sequence[str] | None:
    """The named columns a model reads, if it declares them."""
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

    _parameter_constraints: dict[str, list[Any]] = {  # noqa: RUF012
        "members": [list, tuple],
        "weights": ["array-like", None],
    }

    def fit(self, X: Any, y: Any) -> Ensemble:
        self._validate_params()
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
