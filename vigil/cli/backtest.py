"""The ``vigil backtest`` command: walk-forward forecasts of every model, scored side by side."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import typer

from vigil.settings import Settings


class Part(StrEnum):
    """What ``vigil precompute`` computes."""

    history = "history"
    intervals = "intervals"
    both = "both"


def backtest_command(
    model: list[str] | None = typer.Option(
        None, "--model", help="Model to score (repeatable; default: all, see `vigil models`)."
    ),
    start: int = typer.Option(1993, "--start", help="First base year."),
    end: int = typer.Option(2022, "--end", help="Last base year (outcomes must be known)."),
    data: Path | None = typer.Option(
        None, "--data", help="A country-year table of the EWP layout."
    ),
    predictions: Path | None = typer.Option(
        None, "--predictions", help="Write every forecast to this CSV file."
    ),
    report: Path | None = typer.Option(
        None, "--report", help="Write an HTML report into this directory."
    ),
    summary: Path | None = typer.Option(
        None, "--summary", help="Write the JSON summary (as bundled for the default-model rule)."
    ),
    n_boot: int = typer.Option(
        500, "--bootstrap", min=0, help="Bootstrap draws for the intervals."
    ),
    calibrate: str = typer.Option(
        "none",
        "--calibrate",
        help="Correct each forecast on the model's earlier forecasts with known outcomes: "
        "none, intercept, platt or isotonic.",
    ),
) -> None:
    """Walk-forward backtest: fit on years ≤ t − 2, forecast from year t, score every model."""
    from vigil.risk.backtest import check_models
    from vigil.risk.evaluation import check_destination, evaluate, write_outputs
    from vigil.risk.models import MODELS
    from vigil.risk.table import load_table
    from vigil.risk.track_record import METHODS

    if calibrate not in METHODS:
        raise typer.BadParameter(f"choose one of {', '.join(METHODS)}", param_hint="--calibrate")
    settings = Settings.from_env()
    table = load_table(data)
    names = check_models(model) if model else list(MODELS)
    for path, is_dir in ((predictions, False), (report, True), (summary, False)):
        check_destination(path, directory=is_dir)
    with _progress_bar() as progress:
        result = evaluate(table, names, start, end, progress=progress, seed=settings.seed,
                          n_boot=n_boot, calibration=calibrate)  # fmt: skip
    write_outputs(result, predictions=predictions, report=report, summary=summary)
    typer.echo(result.text())


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on an interactive terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("walk-forward fits", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def precompute_command(
    models: str = typer.Option(
        "ewp,logit,boost,ensemble", "--models", help="Comma-separated models to precompute."
    ),
    draws: int = typer.Option(25, "--draws", min=1, help="Bootstrap refits for the intervals."),
    out: Path = typer.Option(
        Path(__file__).parents[1] / "data", "--out", help="Data folder to write web/ files into."
    ),
    part: Part = typer.Option(Part.both, "--part", help="What to compute."),
) -> None:
    """Refit every model for every base year (risk history) and bootstrap the latest forecast's
    intervals, into the shipped data the pages read."""
    from vigil.risk.backtest import check_models
    from vigil.risk.history import precompute
    from vigil.risk.table import load_table

    names = check_models([m.strip() for m in models.split(",") if m.strip()])
    precompute(load_table(), out, names, seed=Settings.from_env().seed, draws=draws,
               part=part.value, progress=typer.echo)  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add ``vigil backtest`` and ``vigil precompute`` to the top-level app."""
    app.command("backtest")(backtest_command)
    app.command("precompute")(precompute_command)
