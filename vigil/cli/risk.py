"""Structural-risk commands: forecast, models, explain.

Library modules are imported inside the commands so that ``vigil --help`` and
the other command groups start without loading the modelling stack.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from vigil.settings import Settings

if TYPE_CHECKING:
    from vigil.risk.explain import Driver, Explanation


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


DATA_OPTION = typer.Option(None, "--data", help="A country-year table of the EWP layout.")
MODEL_OPTION = typer.Option(None, "--model", help="Model name (see `vigil models`).")
YEAR_OPTION = typer.Option(None, "--base-year", help="Forecast from this year's predictors.")
#: Changes of probability are shown in percentage points.
PTS = "{:.2f} pts"
SIGNED_PTS = "{:+.2f} pts"


def forecast_command(
    model: str | None = MODEL_OPTION,
    base_year: int | None = YEAR_OPTION,
    data: Path | None = DATA_OPTION,
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="Output format."),
    top: int | None = typer.Option(None, "--top", min=1, help="Show only the N highest (table)."),
    horizon: int = typer.Option(
        2, "--horizon", min=1, max=2, help="1: onset next year; 2: onset within two years."
    ),
    calibrated: bool = typer.Option(
        False, "--calibrated", help="Correct the level from the model's walk-forward track record."
    ),
) -> None:
    """Probability of a new mass-killing onset within the horizon for every country, ranked."""
    from vigil.risk.model_cache import cache_key, cached, table_sha256

    settings = Settings.from_env()
    home = settings.ensure_home()
    key = cache_key(kind="forecast", data=table_sha256(data), model=model, base_year=base_year,
                    horizon=horizon, seed=settings.seed, calibrated=calibrated)  # fmt: skip
    stored = cached(home, key, lambda: _forecast(home, data, model, base_year, horizon,
                                                 settings.seed, calibrated))  # fmt: skip
    if output is OutputFormat.csv:
        sys.stdout.write(stored["csv"])
    elif output is OutputFormat.json:
        payload = {"provenance": stored["provenance"], "forecasts": stored["records"]}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        records = stored["records"]
        _print_watchlist(records[:top] if top else records, stored["provenance"])


def _forecast(home: Path, data: Path | None, model: str | None, base_year: int | None,
              horizon: int, seed: int, calibrated: bool) -> dict[str, Any]:  # fmt: skip
    """Fit and forecast (a cache miss), rendered as the outputs need it (no pandas on a hit);
    the forecast is also kept in the outputs folder."""  # fmt: skip
    from vigil.risk.horizon import forecast_horizon
    from vigil.risk.outputs import save_forecast
    from vigil.risk.table import load_table

    result = forecast_horizon(load_table(data), model, base_year, horizon, seed=seed,
                              calibrated=calibrated)  # fmt: skip
    save_forecast(home, result)
    frame = result.frame
    records = json.loads(frame.to_json(orient="records"))
    return {"csv": frame.to_csv(index=False), "records": records,
            "provenance": result.provenance.to_dict()}  # fmt: skip


def _print_watchlist(records: list[dict[str, Any]], provenance: dict[str, Any]) -> None:
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
    for row in records:
        view.add_row(str(row["rank"]), str(row["country"]), str(row["iso3"] or ""),
                     f"{row['probability']:.1%}")  # fmt: skip
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
    from vigil.risk.model_cache import cache_key, cached, table_sha256

    settings = Settings.from_env()
    key = cache_key(kind="explain", data=table_sha256(data), model=model, base_year=base_year,
                    country=country.strip().casefold(), seed=settings.seed)  # fmt: skip
    stored = cached(
        settings.ensure_home(), key,
        lambda: _explanation(data, country, model, base_year, settings.seed),
    )  # fmt: skip
    signals = _latest_signals(settings, stored["iso3"])
    if as_json:
        sys.stdout.write(json.dumps({**stored, "signals": signals}, indent=2) + "\n")
    else:
        _print_explanation(_view(stored), signals)


def _explanation(data: Path | None, country: str, model: str | None, base_year: int | None,
                 seed: int) -> dict[str, Any]:  # fmt: skip
    """The explanation as plain data (a cache miss): printing it later needs no model code."""
    from vigil.risk.explain import explain
    from vigil.risk.table import load_table

    result = explain(load_table(data), country, model=model, base_year=base_year, seed=seed)
    return dict(json.loads(json.dumps(result, default=_jsonable)))


def _view(stored: dict[str, Any]) -> Any:
    """Attribute access to a stored explanation, as :class:`Explanation` offers it."""
    drivers = ("contributions", "counterfactual_up", "counterfactual_down", "change_drivers")
    fields = {k: [SimpleNamespace(**d) for d in v] if k in drivers else v
              for k, v in stored.items()}  # fmt: skip
    previous = stored["previous_probability"]
    change = None if previous is None else stored["probability"] - previous
    return SimpleNamespace(**fields, change=change)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {name: getattr(value, name) for name in value.__dataclass_fields__}
    raise TypeError(type(value).__name__)


def _latest_signals(settings: Settings, iso3: str | None) -> list[dict[str, Any]]:
    """Recent escalation signals from the event store, when one has been filled.

    The store's file is looked for before the event stack (DuckDB, SciPy) is imported, so an
    explanation without events stays fast.
    """
    if iso3 is None or not (settings.home / "events.duckdb").exists():
        return []
    from vigil.events.signals import latest_signals
    from vigil.events.store import EventStore

    store = EventStore.from_settings(settings)
    return [signal.as_dict() for signal in latest_signals(store, iso3)]


def _print_explanation(e: Explanation | Any, signals: list[dict[str, Any]]) -> None:
    out = Console()
    out.print(f"[bold]{e.country}[/bold] ({e.iso3 or '—'}) · base year {e.base_year} · "
              f"model {e.model}")  # fmt: skip
    line = (
        f"Risk of a new mass killing in {e.base_year + 1}–{e.base_year + 2}: "
        f"[bold]{e.probability:.1%}[/bold], rank {e.rank} of {e.n_countries}"
    )
    if e.change is not None:
        line += (
            f"; {e.change * 100:+.1f} pts since base year {e.base_year - 1} "
            f"({e.previous_probability:.1%}, rank {e.previous_rank})"
        )
    out.print(line)
    if e.contributions:
        out.print(f"\nContributions in log-odds against {e.reference} "
                  f"({e.reference_probability:.1%}):")  # fmt: skip
        out.print(_driver_table(e.contributions[:10], "log-odds", "{:+.3f}", year=e.base_year))
    out.print("\nIf this variable were at the global value of the base year (mean, or mode):")
    out.print(_driver_table(e.counterfactual_up, "risk would fall by", PTS, year=e.base_year))
    out.print(_driver_table(e.counterfactual_down, "risk would rise by", PTS, negate=True,
                            year=e.base_year))  # fmt: skip
    if e.change_drivers:
        out.print(f"\nChange since {e.base_year - 1}, by variables that moved (this year's model):")
        out.print(_driver_table(e.change_drivers[:10], "effect", SIGNED_PTS, before_after=True,
                                year=e.base_year))  # fmt: skip
        refit = e.change_from_refit
        out.print(f"Model refit between the two years: {(refit or 0) * 100:+.2f} pts")
    _print_signals(out, signals)


def _driver_table(drivers: list[Driver], label: str, fmt: str, *, negate: bool = False,
                  before_after: bool = False, year: int | None = None) -> Table:  # fmt: skip
    from vigil.risk.measurement import is_unmeasured
    from vigil.risk.variables import label as readable

    view = Table(show_edge=False)
    view.add_column("variable")
    view.add_column("raw name", style="dim")
    view.add_column("was" if before_after else "value", justify="right")
    view.add_column("now" if before_after else "reference", justify="right")
    view.add_column(label, justify="right")
    for d in drivers:
        first, second = (d.reference, d.value) if before_after else (d.value, d.reference)
        effect = (-d.effect if negate else d.effect) * (100 if fmt.endswith("pts") else 1)
        name = readable(d.variable)
        if year is not None and is_unmeasured(d.variable, year - int(before_after)):
            name += " (not measured before 1989; coded 0)"
        view.add_row(name, d.variable, _fmt(first), _fmt(second), fmt.format(effect))
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
