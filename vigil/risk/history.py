"""Risk history and forecast intervals: computed once by ``vigil precompute``, shipped as data.

Refitting every model for every past base year takes minutes, far too long for the first
``vigil serve``; so the history (each base year's forecast, exactly as ``vigil forecast
--base-year`` makes it) and the bootstrap intervals of the latest forecast are computed once
and kept under ``vigil/data/web/``, stamped with the table's SHA-256 and the seed. They are used
only when both match the table and seed being served.

The interval is a country-cluster bootstrap: the training countries are resampled with
replacement (all of a country's years together, since they are not independent), the model
is refitted on each resample, and the 5th and 95th percentiles of the refitted forecasts
bound the probability. It measures how much the forecast depends on which countries'
histories the model happened to learn from; it does not cover model choice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from vigil import __version__
from vigil.data import bundled
from vigil.provenance import utc_now
from vigil.risk.forecast import design_frame, forecast
from vigil.risk.models import get_model
from vigil.risk.table import TARGET, RiskTable
from vigil.risk.variables import EWP_PREDICTORS

HISTORY_FILE = "web/risk_history.csv.gz"
INTERVAL_FILE = "web/intervals.csv.gz"
META_FILE = "web/precomputed.json"
HISTORY_START = 1993
LEVELS = (0.05, 0.95)
Part = Literal["history", "intervals", "both"]


def history(
    table: RiskTable, models: Sequence[str], seed: int, start: int = HISTORY_START
) -> pd.DataFrame:
    """Every model's forecast for each base year from ``start`` to the table's last year."""
    design = design_frame(table)
    parts = [
        forecast(table, name, year, seed=seed, design=design).frame
        for name in models
        for year in range(start, table.last_year + 1)
    ]
    return pd.concat(parts, ignore_index=True)


def bootstrap_intervals(
    table: RiskTable, model: str, seed: int, draws: int, base_year: int | None = None
) -> pd.DataFrame:
    """5–95 % country-cluster bootstrap bounds of one model's forecast, per country."""
    year = table.last_year if base_year is None else base_year
    design = design_frame(table)
    train = design[(design["year"] <= year - 2) & table.label_known]
    current = design[design["year"] == year]
    countries = train["ccode"].unique()
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(draws):
        chosen = rng.choice(countries, size=len(countries), replace=True)
        rows = pd.concat([train[train["ccode"] == c] for c in chosen], ignore_index=True)
        estimator = get_model(model).make(seed).fit(rows, rows[TARGET].to_numpy())
        samples.append(estimator.predict_proba(current)[:, 1])
    low, high = np.quantile(np.vstack(samples), LEVELS, axis=0)
    return pd.DataFrame(
        {
            "ccode": current["ccode"].to_numpy(),
            "iso3": current["iso3"].to_numpy(),
            "base_year": year,
            "model": model,
            "low": low,
            "high": high,
            "draws": draws,
        }
    )


def precompute(
    table: RiskTable,
    out: Path,
    models: Sequence[str],
    *,
    seed: int,
    draws: int,
    part: Part = "both",
    progress: Callable[[str], None] | None = None,
) -> None:
    """Write the history and interval files of ``models`` (and their stamp) under ``out``."""
    if part in ("history", "both"):
        _merge(out / HISTORY_FILE, history(table, models, seed))
    if part in ("intervals", "both"):
        for name in models:
            _merge(out / INTERVAL_FILE, bootstrap_intervals(table, name, seed, draws))
            if progress is not None:
                progress(f"intervals {name} done")
    meta = {
        "data_sha256": table.sha256,
        "seed": seed,
        "vigil_version": __version__,
        "created_at": utc_now(),
        "interval_levels": list(LEVELS),
        "bootstrap_draws": draws,
    }
    (out / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def _merge(path: Path, frame: pd.DataFrame) -> None:
    """Replace the rows of ``frame``'s models in the file at ``path`` (created if absent)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        old = pd.read_csv(path)
        old = old[~old["model"].isin(frame["model"].unique())]
        frame = pd.concat([old, frame], ignore_index=True)
    frame.sort_values(["model", "base_year"]).to_csv(path, index=False, float_format="%.6g")


@cache
def _shipped_meta() -> dict[str, Any]:
    path = bundled(META_FILE)
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}


def _applies(table: RiskTable, seed: int, name: str) -> bool:
    meta = _shipped_meta()
    path = bundled(name)
    return path.exists() and meta.get("data_sha256") == table.sha256 and meta.get("seed") == seed


def shipped_history(table: RiskTable, model: str, seed: int) -> tuple[pd.DataFrame, str]:
    """Shipped history of ``model`` (empty, with the reason, if it does not apply)."""
    if not _applies(table, seed, HISTORY_FILE):
        return pd.DataFrame(), "No risk history is shipped for this table and seed."
    frame = pd.read_csv(bundled(HISTORY_FILE))
    frame = frame[frame["model"] == model]
    if frame.empty:
        return frame, f"No risk history is shipped for model {model}."
    first, last = int(frame["base_year"].min()), int(frame["base_year"].max())
    note = (
        f"History: the {model} model refitted for every base year {first}–{last} on what was "
        "known then (years ≤ base year − 2), as `vigil forecast --base-year` does."
    )
    return frame, note


def shipped_intervals(table: RiskTable, model: str, seed: int) -> tuple[pd.DataFrame, str]:
    """Shipped bootstrap bounds of ``model``'s latest forecast (empty, with the reason)."""
    if not _applies(table, seed, INTERVAL_FILE):
        return pd.DataFrame(), "No probability interval: none is shipped for this table."
    frame = pd.read_csv(bundled(INTERVAL_FILE))
    frame = frame[(frame["model"] == model) & (frame["base_year"] == table.last_year)]
    if frame.empty:
        return frame, f"No probability interval is shipped for model {model}."
    draws = int(frame["draws"].iloc[0])
    note = (
        f"Interval: 5th–95th percentile of {draws} refits of the {model} model on training "
        "data resampled by country (a country-cluster bootstrap, all of a country's years "
        "drawn together). It shows how much the forecast depends on which countries' "
        "histories the model learnt from; it does not cover the choice of model."
    )
    return frame, note


def reproduces(history: pd.DataFrame, current: pd.DataFrame, tolerance: float = 1e-4) -> bool:
    """Whether the shipped history's latest year is the forecast just made (same model code)."""
    year = int(current["base_year"].iloc[0])
    shipped = history[history["base_year"] == year].set_index("ccode")["probability"]
    now = current.set_index("ccode")["probability"]
    common = shipped.index.intersection(now.index)
    if len(common) != len(now):
        return False
    return bool((shipped[common] - now[common]).abs().max() <= tolerance)


def history_backtest(table: RiskTable, end: int | None = None) -> pd.DataFrame:
    """The shipped history scored as the walk-forward backtest scores it.

    Each base year's forecast in the history was fitted on years ≤ t − 2, so joined with the
    outcomes it is the backtest; kept are the rows the backtest scores (outcome known, every
    public predictor present), so its pooled scores are those of the stored summary.
    """
    path = bundled(HISTORY_FILE)
    if not path.exists():
        return pd.DataFrame(columns=["model", "base_year", "probability", "outcome"])
    last = table.last_year - 2 if end is None else end
    rows = table.frame[table.frame[list(EWP_PREDICTORS)].notna().all(axis=1)]
    outcomes = rows[["ccode", "year", TARGET]].rename(
        columns={"year": "base_year", TARGET: "outcome"}
    )
    shipped = pd.read_csv(path)
    scored = shipped[shipped["base_year"] <= last].merge(outcomes, on=["ccode", "base_year"])
    return scored.dropna(subset=["outcome"]).astype({"outcome": int}).reset_index(drop=True)
