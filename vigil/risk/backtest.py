"""Walk-forward backtest: for each base year t, fit on years ≤ t − 2 and forecast year t.

This mirrors the Early Warning Project's "fully out-of-sample" procedure. Every
step a model learns — feature scaling, hyper-parameters, calibration — happens
inside its ``fit`` on the training window, so nothing from year t − 1 or later
reaches a forecast made at t. Features are computed once on the whole table;
they look only backwards (see :mod:`vigil.risk.features`), which a property test checks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from threadpoolctl import threadpool_limits

from vigil.errors import UsageError
from vigil.risk.estimators import Ensemble
from vigil.risk.features import FEATURES, add_features
from vigil.risk.models import MODELS, make_model
from vigil.risk.splits import WalkForwardSplit
from vigil.risk.table import TARGET
from vigil.risk.variables import EWP_PREDICTORS

#: Columns of a backtest's predictions, in order (the CSV contract).
PREDICTION_COLUMNS = ("country", "ccode", "iso3", "base_year", "model", "probability", "outcome")
#: Columns a model may see: the public predictors, the engineered features and the country code.
MODEL_INPUTS: tuple[str, ...] = ("ccode", *EWP_PREDICTORS, *FEATURES)

Progress = Callable[[int, int], None]


def check_years(table_first: int, table_last: int, start: int, end: int) -> None:
    """Raise a :class:`UsageError` unless start..end is a backtestable range for the table."""
    if start > end:
        raise UsageError(f"--start {start} is after --end {end}; give start ≤ end")
    if start < table_first + 5:
        raise UsageError(
            f"--start {start} leaves too little history: the table begins in {table_first}; "
            f"start in {table_first + 5} or later"
        )
    if end > table_last - 2:
        raise UsageError(
            f"--end {end} is too recent: outcomes are known only up to base year "
            f"{table_last - 2} (the table ends in {table_last})"
        )


def check_models(names: Sequence[str]) -> list[str]:
    """Return the model names, or raise a :class:`UsageError` naming the unknown ones."""
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        raise UsageError(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    return list(dict.fromkeys(names))


def run_backtest(
    frame: pd.DataFrame,
    models: Sequence[str],
    start: int = 1993,
    end: int = 2022,
    progress: Progress | None = None,
    random_state: int = 0,
    n_jobs: int = 2,
    *,
    target: str = TARGET,
    gap: int = 2,
) -> pd.DataFrame:
    """Walk-forward forecasts of every model for base years start..end.

    ``target`` and ``gap`` choose the horizon: the default forecasts an onset in t + 1 or
    t + 2 from models fitted on years ≤ t − 2; ``mk_onset_1`` with gap 1 forecasts next year's
    onset from years ≤ t − 1, whose outcomes are known at t. Training rows without a known
    target (a country's last years) are left out.

    ``frame`` is a validated table (:attr:`RiskTable.frame`). Forecasts are made for
    every country-year of t with all 39 public predictors present, so every model
    is scored on the same rows. Returns :data:`PREDICTION_COLUMNS`, sorted by
    base year, model and descending probability.
    """
    names = check_models(models)
    check_years(int(frame["year"].min()), int(frame["year"].max()), start, end)
    data = add_features(frame).reset_index(drop=True)
    splitter = WalkForwardSplit(start, end, gap)
    splits = list(splitter.split(data))
    tasks = (
        delayed(_forecast_year)(data, train, test, names, random_state, target)
        for train, test in splits
    )
    # Threads, not processes: the fits run in native code (LightGBM, numba, BLAS), so two
    # threads use both cores without a second copy of the interpreter and the data in memory.
    runner = Parallel(n_jobs=n_jobs, backend="threading", return_as="generator")
    parts = []
    with threadpool_limits(1):  # small matrices: one BLAS thread each is faster and repeatable
        for done, part in enumerate(runner(tasks), start=1):
            parts.append(part)
            if progress is not None:
                progress(done, len(splits))
    return _sorted(pd.concat(parts, ignore_index=True), names)


def _forecast_year(
    data: pd.DataFrame,
    train: np.ndarray,
    test: np.ndarray,
    names: list[str],
    seed: int,
    target: str = TARGET,
) -> pd.DataFrame:
    """Fit each model on the training rows and forecast the complete test rows.

    Test rows whose outcome is unknown (``mk_onset_1`` of a country's last year) cannot be
    scored and are left out; the two-year target is always known.
    """
    test_rows = data.iloc[test]
    test_rows = test_rows[test_rows[list(EWP_PREDICTORS)].notna().all(axis=1)]
    test_rows = test_rows[test_rows[target].notna()]
    train_rows = data.iloc[train]
    train_rows = train_rows[train_rows[target].notna()]
    X_train = train_rows[list(MODEL_INPUTS)]
    y_train = train_rows[target].astype(int)
    fitted: dict[str, Any] = {}
    for name in sorted(names, key=lambda n: isinstance(make_model(n, seed), Ensemble)):
        model = _reuse_members(make_model(name, seed), fitted)
        fitted[name] = model.fit(X_train, y_train)
    out = []
    for name in names:
        probability = fitted[name].predict_proba(test_rows[list(MODEL_INPUTS)])[:, 1]
        out.append(_rows(test_rows, name, probability, target))
    return pd.concat(out, ignore_index=True)


def _reuse_members(model: Any, fitted: dict[str, Any]) -> Any:
    """Let an ensemble use members already fitted this base year with identical parameters.

    The result is the same as refitting them (fits are deterministic); it only saves time.
    """
    if not isinstance(model, Ensemble):
        return model
    members = []
    for name, member in model.members:
        done = fitted.get(name)
        same = done is not None and repr(clone(done).get_params()) == repr(member.get_params())
        members.append((name, FrozenEstimator(done) if same else member))
    return clone(model).set_params(members=members)


def _rows(
    rows: pd.DataFrame, name: str, probability: np.ndarray, target: str = TARGET
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": rows["country"].to_numpy(),
            "ccode": rows["ccode"].to_numpy(),
            "iso3": rows["iso3"].to_numpy(),
            "base_year": rows["year"].to_numpy(),
            "model": name,
            "probability": probability,
            "outcome": rows[target].astype(int).to_numpy(),
        }
    )


def _sorted(predictions: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    order = {name: i for i, name in enumerate(names)}
    predictions = predictions.assign(_m=predictions["model"].map(order))
    predictions = predictions.sort_values(
        ["base_year", "_m", "probability", "ccode"], ascending=[True, True, False, True]
    )
    return predictions.drop(columns="_m").reset_index(drop=True)[list(PREDICTION_COLUMNS)]
