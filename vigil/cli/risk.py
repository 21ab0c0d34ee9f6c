"""Structural-risk commands: forecast, models, explain.

Library modules are imported inside the commands so that ``vigil --help`` and
the other command groups start without loading the modelling stack.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from vigil.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

    from vigil.risk.explain import Driver, Explanation


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


DATA_OPTION = typer.Option(None, "--data", help="A country-year table of the EWP layout.")
MODEL_OPTION = typer.Option(None, "--model", help="Model name (see `vigil models`).")
YEAR_OPTION = typer.Option(None, "--base-year", help="Forecast from this year's predictors.")


def forecast_command(
    model: str | None = MODEL_OPTION,
    base_year: int | None = YEAR_OPTION,
    data: Path | None = DATA_OPTION,
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="Output format."),
    top: int | None = typer.Option(None, "--top", min=1, help="Show only the N highest (table)."),
    horizon: int = typer.Option(
        2, "--horizon", min=1, max=2, help="1: onset next year; 2: onset within two years."
    ),
) -> None:
    """Probability of a new mass-killing onset within the horizon for every country, ranked."""
    from vigil.risk.horizon import forecast_horizon
    from vigil.risk.outputs import save_forecast
    from vigil.risk.table import load_table

    settings = Settings.from_env()
    table = load_table(data)
    result = forecast_horizon(table, model, base_year, horizon, seed=settings.seed)
    save_forecast(settings.ensure_home(), result)
    frame = result.frame
    if output is OutputFormat.csv:
        sys.stdout.write(frame.to_csv(index=False))
    elif output is OutputFormat.json:
        records = json.loads(frame.to_json(orient="records"))
        payload = {"provenance": result.provenance.to_dict(), "forecasts": records}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        _print_watchlist(frame.head(top) if top else frame, result.provenance.to_dict())


def _print_watchlist(frame: pd.DataFrame, provenance: dict[str, Any]) -> None:
    year = provenance["parameters"]["base_year"]
    span = (
        f"{year + 1}" if provenance["parameters"].get("horizon") == 1 else f"{year + 1}–{year + 2}"
    )
    view = Table(
        title=f"Risk of a new mass killing in {span} "
        f"(model {provenance['model']}, base year {year})",
        caption=f"data sha256 {provenance['data_sha256'][:12]} · vigil "
        f"{provenance['vigil_version']} · {provenance['created_at']}",
    )
    for name, justify in (("rank", "right"), ("country", "left"), ("ISO3", "left"),
                          ("probability", "right")):  # fmt: skip
        view.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in frame.itertuples(index=False):
        view.add_row(str(row.rank), str(row.country), str(row.iso3 or ""),
                     f"{row.probability:.1%}")  # fmt: skip
    Console().print(view)


def models_command() -> None:
    """List the risk models and mark the default."""
    from vigil.risk.models import MODELS, default_model

    chosen = default_model()
    for name, spec in MODELS.items():
        mark = "*" if name == chosen else " "
        typer.echo(f"{mark} {name:<14} {spec.description}")
    typer.echo(f"\n* default model (`vigil forecast` without --model): {chosen}")


def explain_command(
    country: str = typer.Argument(..., help="ISO3 code or the table's country name."),
    base_year: int | None = YEAR_OPTION,
    model: str | None = MODEL_OPTION,
    data: Path | None = DATA_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
) -> None:
    """Why a country's risk is what it is: drivers, counterfactuals, change since last year."""
    from vigil.risk.explain import explain
    from vigil.risk.table import load_table

    settings = Settings.from_env()
    result = explain(load_table(data), country, model=model, base_year=base_year,
                     seed=settings.seed)  # fmt: skip
    signals = _latest_signals(settings, result.iso3)
    if as_json:
        payload = json.loads(json.dumps(result, default=_jsonable))
        payload["signals"] = signals
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        _print_explanation(result, signals)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {name: getattr(value, name) for name in value.__dataclass_fields__}
    raise TypeError(type(value).__name__)


def _latest_signals(settings: Settings, iso3: str | None) -> list[dict[str, Any]]:
    """Recent escalation signals from the event store, when one has been filled."""
    from vigil.events.signals import latest_signals
    from vigil.events.store import EventStore

    store = EventStore.from_settings(settings)
    if iso3 is None or not store.path.exists():
        return []
    return [signal.as_dict() for signal in latest_signals(store, iso3)]


def _print_explanation(e: Explanation, signals: list[dict[str, Any]]) -> None:
    out = Console()
    out.print(f"[bold]{e.country}[/bold] ({e.iso3 or '—'}) · base year {e.base_year} · "
              f"model {e.model}")  # fmt: skip
    line = (
        f"Risk of a new mass killing in {e.base_year + 1}–{e.base_year + 2}: "
        f"[bold]{e.probability:.1%}[/bold], rank {e.rank} of {e.n_countries}"
    )
    if e.change is not None:
        line += (
            f"; {e.change:+.1%} since base year {e.base_year - 1} "
            f"({e.previous_probability:.1%}, rank {e.previous_rank})"
        )
    out.print(line)
    if e.contributions:
        out.print(f"\nContributions in log-odds against {e.reference} "
                  f"({e.reference_probability:.1%}):")  # fmt: skip
        out.print(_driver_table(e.contributions[:10], "log-odds", "{:+.3f}"))
    out.print("\nIf this variable were at the global value of the base year (mean, or mode):")
    out.print(_driver_table(e.counterfactual_up, "risk would fall by", "{:.2%}"))
    out.print(_driver_table(e.counterfactual_down, "risk would rise by", "{:.2%}", negate=True))
    if e.change_drivers:
        out.print(f"\nChange since {e.base_year - 1}, by variables that moved (this year's model):")
        out.print(_driver_table(e.change_drivers[:10], "effect", "{:+.2%}", before_after=True))
        out.print(f"Model refit between the two years: {e.change_from_refit:+.2%}")
    _print_signals(out, signals)


def _driver_table(drivers: list[Driver], label: str, fmt: str, *, negate: bool = False,
                  before_after: bool = False) -> Table:  # fmt: skip
    view = Table(show_edge=False)
    view.add_column("variable")
    view.add_column("was" if before_after else "value", justify="right")
    view.add_column("now" if before_after else "reference", justify="right")
    view.add_column(label, justify="right")
    for d in drivers:
        first, second = (d.reference, d.value) if before_after else (d.value, d.reference)
        view.add_row(d.variable, _fmt(first), _fmt(second),
                     fmt.format(-d.effect if negate else d.effect))  # fmt: skip
    return view


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"


def _print_signals(out: Console, signals: list[dict[str, Any]]) -> None:
    if not signals:
        out.print("\nNo recent event signals (ingest events with `vigil events ingest`).")
        return
    out.print("\nLatest event signals:")
    view = Table(show_edge=False)
    for column in ("month", "admin1", "signal", "severity", "value", "baseline"):
        view.add_column(column)
    for s in signals:
        view.add_row(*(str(s.get(c, "") or "") for c in
                       ("month", "admin1", "signal", "severity", "value", "baseline")))  # fmt: skip
    out.print(view)


def register(app: typer.Typer) -> None:
    """Add the structural-risk commands to the top-level app."""
    app.command("forecast")(forecast_command)
    app.command("models")(models_command)
    app.command("explain")(explain_command)
