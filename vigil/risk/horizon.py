"""Two forecast horizons: an onset next year, and an onset within two years.

The one-year model predicts ``mk_onset_1`` (an onset in t + 1) and may train on years up to
t − 1, because year t − 1's next-year outcome is known at base year t. The two-year forecast
either comes from one model of ``mk_onset_1or2`` trained on years ≤ t − 2 (direct), or combines
the one-year model with a model of ``mk_onset_2`` (an onset in t + 2, trained on years ≤ t − 2)
as 1 − (1 − p₁)(1 − p₂) (split). The split uses a year more of data for the first year; whether
it helps is decided per model on the walk-forward backtest (:func:`backtest_horizons`), and the
decision is stored in ``vigil/data/backtest/horizons.json``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from vigil.data import bundled
from vigil.errors import UsageError
from vigil.provenance import Provenance
from vigil.risk.backtest import run_backtest
from vigil.risk.forecast import Forecast, _ranked, check_base_year, design_frame, forecast
from vigil.risk.models import default_model, get_model

if TYPE_CHECKING:
    from vigil.risk.table import RiskTable

HORIZONS = (1, 2)
#: Target column and training gap of each one-model horizon.
ONE_YEAR = ("mk_onset_1", 1)
TWO_AHEAD = ("mk_onset_2", 2)
HORIZONS_FILE = "backtest/horizons.json"
CALIBRATION_FILE = "backtest/calibration.json"
#: Models that reproduce a published method and keep it (the public model's direct two-year fit).
PARITY_MODELS = frozenset({"ewp"})


def check_horizon(horizon: int) -> int:
    if horizon not in HORIZONS:
        raise UsageError(f"horizon {horizon} is not offered; choose 1 (next year) or 2 (two years)")
    return horizon


def combine(p_one: np.ndarray, p_two_ahead: np.ndarray) -> np.ndarray:
    """Probability of an onset in t + 1 or t + 2 from the two one-year probabilities."""
    combined: np.ndarray = 1 - (1 - np.asarray(p_one)) * (1 - np.asarray(p_two_ahead))
    return combined


@cache
def split_models() -> frozenset[str]:
    """Models whose two-year forecast is the split one (chosen on the backtest; never ewp)."""
    path = bundled(HORIZONS_FILE)
    if not path.exists():
        return frozenset()
    stored = json.loads(path.read_text(encoding="utf-8"))
    chosen = {name for name, row in stored["models"].items() if row["use_split"]}
    return frozenset(chosen - PARITY_MODELS)


@dataclass(frozen=True)
class HorizonBacktest:
    """Walk-forward predictions of each horizon and variant, on the same country-years."""

    one_year: pd.DataFrame
    direct: pd.DataFrame
    split: pd.DataFrame

    def two_year(self, name: str, variant: str) -> pd.DataFrame:
        frame = self.split if variant == "split" else self.direct
        return frame[frame["model"] == name]


def backtest_horizons(
    frame: pd.DataFrame,
    models: Sequence[str],
    start: int = 1993,
    end: int = 2022,
    *,
    seed: int = 0,
    n_jobs: int = 2,
) -> HorizonBacktest:
    """Walk-forward forecasts of the one-year model and both two-year variants of each model."""
    run: dict[str, Any] = {"random_state": seed, "n_jobs": n_jobs}
    frame = with_leads(frame)
    direct = run_backtest(frame, models, start, end, **run)
    one = run_backtest(frame, models, start, end, target=ONE_YEAR[0], gap=ONE_YEAR[1], **run)
    ahead = run_backtest(frame, models, start, end, target=TWO_AHEAD[0], gap=TWO_AHEAD[1], **run)
    keys = ["ccode", "base_year", "model"]
    both = one[[*keys, "probability"]].merge(
        ahead[[*keys, "probability"]], on=keys, suffixes=("_one", "_ahead")
    )
    split = direct.drop(columns="probability").merge(both, on=keys)
    split["probability"] = combine(
        split["probability_one"].to_numpy(), split["probability_ahead"].to_numpy()
    )
    split = split[list(direct.columns)]
    direct = direct.merge(split[keys], on=keys)
    return HorizonBacktest(one_year=one, direct=direct, split=split)


def with_leads(design: pd.DataFrame) -> pd.DataFrame:
    """The design with numeric ``mk_onset_1`` and ``mk_onset_2``, derived from ``mk_onset``
    where the table lacks them (a lead is known only where that later row exists).
    """
    out = design.copy()
    onsets = design.set_index(["ccode", "year"])["mk_onset"]
    for column, lead in ((ONE_YEAR[0], 1), (TWO_AHEAD[0], 2)):
        if column in design.columns:
            out[column] = pd.to_numeric(design[column], errors="raise")
        else:
            later = pd.MultiIndex.from_arrays([design["ccode"], design["year"] + lead])
            out[column] = onsets.reindex(later).to_numpy()
    return out


def fit_horizon(spec: Any, seed: int, design: pd.DataFrame, year: int, target: str,
                gap: int) -> Any:  # fmt: skip
    """Fit a model of ``target`` on rows of years ≤ ``year − gap`` whose target is known."""
    train = design[(design["year"] <= year - gap) & design[target].notna()]
    return spec.make(seed).fit(train, train[target].astype(int).to_numpy()), train


def forecast_horizon(
    table: RiskTable,
    model: str | None = None,
    base_year: int | None = None,
    horizon: int = 2,
    *,
    seed: int = 0,
    calibrated: bool = False,
) -> Forecast:
    """The forecast for ``horizon`` years: one-year, or two-year (direct or split per model).

    ``calibrated`` shifts the log-odds by the model's track-record correction for the base
    year (:func:`calibrate`).
    """
    result = _forecast_horizon(table, model, base_year, horizon, seed=seed)
    return calibrate(result, horizon) if calibrated else result


def _forecast_horizon(
    table: RiskTable, model: str | None, base_year: int | None, horizon: int, *, seed: int
) -> Forecast:
    check_horizon(horizon)
    name = model or default_model()
    if horizon == 2 and name not in split_models():
        return _with_horizon(forecast(table, name, base_year, seed=seed), horizon, "direct")
    spec = get_model(name)
    year = table.last_year if base_year is None else int(base_year)
    check_base_year(table, year)
    design = with_leads(design_frame(table))
    first, train = fit_horizon(spec, seed, design, year, *ONE_YEAR)
    current = design[design["year"] == year]
    probability = first.predict_proba(current)[:, 1]
    rows = {"training_rows": len(train)}
    if horizon == 2:
        second, ahead = fit_horizon(spec, seed, design, year, *TWO_AHEAD)
        probability = combine(probability, second.predict_proba(current)[:, 1])
        rows["training_rows_two_ahead"] = len(ahead)
    provenance = Provenance(
        data_source=table.source, data_sha256=table.sha256, model=name,
        parameters={"base_year": year, "seed": seed, **rows,
                    "training_years": [int(train["year"].min()), int(train["year"].max())]},
    )  # fmt: skip
    method = "split" if horizon == 2 else "one-year"
    result = Forecast(_ranked(current, name, year, probability), provenance, first, current)
    return _with_horizon(result, horizon, method)


def _with_horizon(result: Forecast, horizon: int, method: str) -> Forecast:
    """The forecast with its horizon (and how the two-year risk was made) in the provenance."""
    parameters = {**result.provenance.parameters, "horizon": horizon, "method": method}
    return replace(result, provenance=replace(result.provenance, parameters=parameters))


def compare_horizons(result: HorizonBacktest, n_boot: int = 500, seed: int = 0) -> dict[str, Any]:
    """Scores of every horizon and variant per model, the paired split − direct difference,
    and the decision: split where the paired interval of the within-year AUC gain lies above
    zero and the Brier score is no worse.
    """
    from vigil.risk import metrics
    from vigil.risk.paired import paired_differences

    models: dict[str, Any] = {}
    for name in result.direct["model"].unique():
        direct, split = result.two_year(name, "direct"), result.two_year(name, "split")
        pair = pd.concat([direct.assign(model="direct"), split.assign(model="split")])
        delta = paired_differences(pair, "direct", n_boot=n_boot, seed=seed).loc["split"]
        scores = {
            label: _plain(metrics.pooled(frame).iloc[0].to_dict())
            for label, frame in (("one_year", result.one_year[result.one_year["model"] == name]),
                                 ("direct", direct), ("split", split))
        }  # fmt: skip
        # Split only where the gain is clear: the paired interval of the within-year AUC
        # difference excludes zero, and the Brier score is no worse.
        helps = bool(delta["within_auc_lo"] > 0 and delta["brier"] <= 0)
        models[str(name)] = {**scores, "split_minus_direct": _plain(delta.to_dict()),
                             "use_split": helps}  # fmt: skip
    return {"n_boot": n_boot, "seed": seed, "models": models}


def _plain(row: dict[Any, Any]) -> dict[str, Any]:
    return {str(k): (round(float(v), 6) if isinstance(v, (float, np.floating)) else int(v))
            for k, v in row.items()}  # fmt: skip


@cache
def _shifts() -> dict[str, Any]:
    path = bundled(CALIBRATION_FILE)
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}


def calibrate(result: Forecast, horizon: int) -> Forecast:
    """The forecast with its log-odds shifted by the model's track-record correction.

    The shift for base year t was fitted on the model's walk-forward forecasts whose outcomes
    were known at t (``vigil/data/backtest/calibration.json``), for the same two-year method.
    """
    parameters = result.provenance.parameters
    name, year = result.provenance.model, int(parameters["base_year"])
    stored = _shifts()
    shift = stored.get(f"horizon_{horizon}", {}).get(name, {}).get(str(year))
    method = stored.get("design", {}).get("two_year", {}).get(name)
    if shift is None or (horizon == 2 and method != parameters.get("method")):
        raise UsageError(f"no track-record calibration for model {name} at base year {year}")
    frame = result.frame.copy()
    z = np.log(frame["probability"] / (1 - frame["probability"])) + shift
    frame["probability"] = 1 / (1 + np.exp(-z))
    record = {"method": "intercept", "shift": shift,
              "fitted_on": f"walk-forward forecasts of base years ≤ {year - horizon}"}  # fmt: skip
    provenance = replace(result.provenance, parameters={**parameters, "calibration": record})
    return replace(result, frame=frame, provenance=provenance)
