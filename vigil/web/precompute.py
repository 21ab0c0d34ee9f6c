"""Precomputed risk history and forecast intervals, shipped as package data.

Refitting every model for every past base year takes minutes, far too long for the first
``vigil serve``; so the history (each base year's forecast, exactly as ``vigil forecast
--base-year`` makes it) and the bootstrap intervals of the latest forecast are computed once
by ``python -m vigil.web.precompute`` and kept under ``vigil/data/web/``, stamped with the
table's SHA-256. The web layer uses them only when that hash matches the table it serves.

The interval is a country-cluster bootstrap: the training countries are resampled with
replacement (all of a country's years together, since they are not independent), the model
is refitted on each resample, and the 5th and 95th percentiles of the refitted forecasts
bound the probability. It measures how much the forecast depends on which countries'
histories the model happened to learn from; it does not cover model choice.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from vigil import __version__
from vigil.provenance import utc_now
from vigil.risk.forecast import design_frame, forecast
from vigil.risk.models import get_model
from vigil.risk.table import TARGET, RiskTable, load_table
from vigil.settings import Settings

HISTORY_FILE = "web/risk_history.csv.gz"
INTERVAL_FILE = "web/intervals.csv.gz"
META_FILE = "web/precomputed.json"
HISTORY_START = 1993
LEVELS = (0.05, 0.95)


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


def main(argv: Sequence[str] | None = None) -> None:
    """Write the history and interval files for the given models into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="ewp,logit,boost,ensemble")
    parser.add_argument("--draws", type=int, default=25)
    parser.add_argument("--out", type=Path, default=Path(__file__).parents[1] / "data")
    parser.add_argument("--part", choices=("history", "intervals", "both"), default="both")
    args = parser.parse_args(argv)
    seed = Settings().seed
    table = load_table()
    models = args.models.split(",")
    if args.part in ("history", "both"):
        frame = history(table, models, seed)
        _merge(args.out / HISTORY_FILE, frame, ["model", "base_year"])
    if args.part in ("intervals", "both"):
        for name in models:
            frame = bootstrap_intervals(table, name, seed, args.draws)
            _merge(args.out / INTERVAL_FILE, frame, ["model", "base_year"])
            print(f"intervals {name} done", flush=True)
    meta = {
        "data_sha256": table.sha256,
        "seed": seed,
        "vigil_version": __version__,
        "created_at": utc_now(),
        "interval_levels": list(LEVELS),
        "bootstrap_draws": args.draws,
    }
    (args.out / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def _merge(path: Path, frame: pd.DataFrame, keys: list[str]) -> None:
    """Replace the rows of ``frame``'s models in the file at ``path`` (created if absent)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        old = pd.read_csv(path)
        old = old[~old["model"].isin(frame["model"].unique())]
        frame = pd.concat([old, frame], ignore_index=True)
    frame.sort_values(keys).to_csv(path, index=False, float_format="%.6g")


if __name__ == "__main__":
    main()
