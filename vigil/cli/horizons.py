"""The ``vigil backtest-horizons`` command: one-year and both two-year variants, walk-forward."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from vigil.settings import Settings


def horizons_command(
    start: int = typer.Option(1993, "--start", help="First base year."),
    end: int = typer.Option(2022, "--end", help="Last base year (outcomes must be known)."),
    model: list[str] | None = typer.Option(None, "--model", help="Model (repeatable)."),
    out: Path | None = typer.Option(None, "--out", help="Write the comparison as JSON here."),
    n_boot: int = typer.Option(500, "--bootstrap", min=1, help="Bootstrap draws."),
    calibration: Path | None = typer.Option(
        None, "--calibration", help="Write the track-record shifts per base year here as JSON."
    ),
) -> None:
    """Score the one-year model and the direct and split two-year forecasts of every model."""
    from vigil.risk.backtest import check_models
    from vigil.risk.evaluation import check_destination
    from vigil.risk.horizon import backtest_horizons, compare_horizons
    from vigil.risk.models import MODELS
    from vigil.risk.table import load_table

    check_destination(out)
    check_destination(calibration)
    settings = Settings.from_env()
    table = load_table()
    names = check_models(model) if model else list(MODELS)
    result = backtest_horizons(table.frame, names, start, end, seed=settings.seed)
    scores = compare_horizons(result, n_boot=n_boot, seed=settings.seed)
    scores["design"] = {"start": start, "end": end, "data_sha256": table.sha256}
    for name, row in scores["models"].items():
        delta = row["split_minus_direct"]
        direct, split = row["direct"]["within_auc"], row["split"]["within_auc"]
        typer.echo(f"{name:<10} one-year AUC {row['one_year']['auc']:.3f}  two-year within-year "
                   f"AUC direct {direct:.3f} split {split:.3f} (Δ {delta['within_auc']:+.3f} "
                   f"[{delta['within_auc_lo']:+.3f}, {delta['within_auc_hi']:+.3f}])  "
                   f"split: {row['use_split']}")  # fmt: skip
    if out is not None:
        out.write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    if calibration is not None:
        shifts = track_record_shifts(result, scores, start, table.last_year)
        calibration.write_text(json.dumps(shifts, indent=2) + "\n", encoding="utf-8")


def track_record_shifts(
    result: Any, scores: dict[str, Any], start: int, last: int
) -> dict[str, Any]:
    """The intercept shifts per model and base year, for the two-year method each model uses."""
    import pandas as pd

    from vigil.risk.horizon import PARITY_MODELS
    from vigil.risk.track_record import intercept_shifts

    split = {n for n, row in scores["models"].items() if row["use_split"]} - PARITY_MODELS
    direct, combined = result.direct, result.split
    two = pd.concat([combined[combined["model"].isin(split)],
                     direct[~direct["model"].isin(split)]])  # fmt: skip
    years = range(start + 2, last + 1)
    return {
        "method": "intercept",
        "design": {"start": start, "end": int(direct["base_year"].max()),
                   "two_year": {n: "split" if n in split else "direct"
                                for n in two["model"].unique()}},
        "horizon_2": intercept_shifts(two, 2, years),
        "horizon_1": intercept_shifts(result.one_year, 1, years),
    }  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add ``vigil backtest-horizons`` to the top-level app."""
    app.command("backtest-horizons")(horizons_command)
