"""Event-monitoring commands: ``vigil events ingest|export|stats|quarantine|seed|panel|evaluate``
and ``vigil monitor``.

Thin wrappers over :mod:`vigil.events`; heavy modules are imported inside the commands so that
``vigil --help`` stays fast.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from vigil.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

    from vigil.events.store import EventStore

events_app = typer.Typer(help="Ingest and inspect conflict events (UCDP GED, ACLED, GDELT).")


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class EventFormat(StrEnum):
    ucdp_ged = "ucdp-ged"
    acled = "acled"
    gdelt1 = "gdelt1"
    gdelt2 = "gdelt2"


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    geojson = "geojson"


class Engine(StrEnum):
    local = "local"
    dask = "dask"


class Level(StrEnum):
    country = "country"
    admin1 = "admin1"


ENGINE_OPTION = typer.Option(Engine.local, "--engine", help="local (DuckDB) or dask.")
SCHEDULER_OPTION = typer.Option(
    None, "--scheduler", help="Dask scheduler address (a local cluster when omitted)."
)


def _store() -> EventStore:
    from vigil.events.store import EventStore

    return EventStore.from_settings(Settings.from_env())


def _client(engine: Engine, scheduler: str | None) -> Any:
    if engine is Engine.local:
        return None
    from vigil.events.engine import client_for

    return client_for(scheduler)


def _emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def _print_frame(frame: pd.DataFrame, title: str) -> None:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.itertuples(index=False):
        table.add_row(*("" if v is None else str(v) for v in row))
    Console().print(table)


@events_app.command("ingest")
def ingest_command(
    paths: list[Path] = typer.Argument(..., help="Event files (plain or gzip)."),
    fmt: EventFormat | None = typer.Option(
        None, "--format", help="The files' format (recognised from each file when omitted)."
    ),
    release: str | None = typer.Option(
        None, "--release", help="GED release, e.g. 23.1 or 25.0.10 (default: from the file name)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per file."),
    engine: Engine = ENGINE_OPTION,
    scheduler: str | None = SCHEDULER_OPTION,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each step to stderr."),
) -> None:
    """Ingest event files into the store in one transaction; bad rows go to the quarantine."""
    from vigil.events.ingest import ingest_files

    if verbose:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    client = _client(engine, scheduler)
    given = fmt.value if fmt else None
    try:
        if as_json or not sys.stderr.isatty():
            summaries = ingest_files(_store(), paths, given, release=release, client=client)
        else:
            summaries = _ingest_with_bar(paths, given, release, client)
    finally:
        if client is not None:
            client.close()
    for summary in summaries:
        if as_json:
            sys.stdout.write(json.dumps(summary.as_dict()) + "\n")
            continue
        typer.echo(
            f"{summary.file}: {summary.format} ({summary.layout}"
            f"{', release ' + summary.release if summary.release else ''}, "
            f"{summary.dialect.get('encoding')}): read {summary.read}, "
            f"ingested {summary.ingested}, updated {summary.updated}, "
            f"unchanged {summary.unchanged}, superseded {summary.superseded}, "
            f"duplicates {summary.duplicates}, quarantined {summary.quarantined} "
            f"(flagged, kept: {summary.flagged})"
        )


def _ingest_with_bar(paths: list[Path], fmt: str | None, release: str | None, client: Any) -> Any:
    from rich.progress import Progress

    from vigil.events.ingest import ingest_files

    with Progress(console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, Any] = {}

        def report(label: str, percent: float) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=100)
            bar.update(tasks[label], completed=percent)

        return ingest_files(_store(), paths, fmt, release=release, progress=report, client=client)


@events_app.command("export")
def export_command(
    fmt: ExportFormat = typer.Option(..., "--format", help="csv, parquet or geojson."),
    source: EventFormat | None = typer.Option(None, "--source", help="Only this source."),
    country: str | None = typer.Option(None, "--country", help="Only this ISO3 country."),
    since: datetime | None = typer.Option(
        None, "--since", formats=["%Y-%m-%d"], help="Only events from this date (YYYY-MM-DD)."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write to this file (standard output when omitted)."
    ),
) -> None:
    """Write the normalised events out; CSV cells a spreadsheet would run as formulas are
    made inert with a leading apostrophe."""
    from vigil.events.export import EventFilter, export_events

    if fmt is ExportFormat.parquet and output is None:
        raise typer.BadParameter("a Parquet export needs --output PATH", param_hint="--output")
    selection = EventFilter(
        source=source.value if source else None,
        country=country,
        since=since.date() if since else None,
    )
    count = export_events(_store(), fmt.value, output or sys.stdout, selection)
    if output is not None:
        typer.echo(f"{count} events written to {output}", err=True)


@events_app.command("stats")
def stats_command(
    as_json: bool = typer.Option(False, "--json", help="Print as one JSON object."),
) -> None:
    """Counts of stored events by source and violence type, and of quarantined rows."""
    stats = _store().stats()
    if as_json:
        _emit_json(stats)
        return
    typer.echo(f"events: {stats['events']}  quarantined: {stats['quarantined']}")
    for group in ("by_source", "by_type"):
        for name, count in stats[group].items():
            typer.echo(f"  {group[3:]:>6} {name:<14} {count}")


@events_app.command("quarantine")
def quarantine_command(
    as_json: bool = typer.Option(False, "--json", help="Print as a JSON list."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Show at most N rows."),
) -> None:
    """Rows that were not ingested, with the reason, file and row number."""
    frame = _store().quarantine(limit)
    if as_json:
        _emit_json(json.loads(frame.to_json(orient="records", date_format="iso")))
        return
    if frame.empty:
        typer.echo("quarantine is empty")
        return
    _print_frame(frame[["file", "row", "reason", "raw"]], f"{len(frame)} quarantined rows")


@events_app.command("seed")
def seed_command() -> None:
    """Ingest the bundled UCDP GED samples (1,000 global events; Syria 2016–2019)."""
    from vigil.events.bundled import ingest_bundled

    summary = ingest_bundled(_store())
    _emit_json(summary.as_dict())


@events_app.command("panel")
def panel_command(
    level: Level = typer.Option(Level.country, "--level", help="country or admin1."),
    engine: Engine = ENGINE_OPTION,
    scheduler: str | None = SCHEDULER_OPTION,
) -> None:
    """Print the complete unit-month panel as CSV."""
    from vigil.events.engine import dask_panel
    from vigil.events.panels import DEFAULT_SOURCES, build_panel

    store = _store()
    if engine is Engine.local:
        frame = build_panel(store, level.value)
    else:
        client = _client(engine, scheduler)
        try:
            frame = dask_panel(store, level.value, DEFAULT_SOURCES, client)
        finally:
            client.close()
    sys.stdout.write(frame.to_csv(index=False, date_format="%Y-%m"))


@events_app.command("evaluate")
def evaluate_command(
    level: Level = typer.Option(Level.admin1, "--level", help="country or admin1."),
    synthetic: bool = typer.Option(
        False, "--synthetic", help="Evaluate on a synthetic escalation panel instead."
    ),
    seed: int = typer.Option(1, "--seed", help="Seed of the synthetic panel."),
) -> None:
    """Walk-forward evaluation of the near-term forecast against the naive baselines."""
    from vigil.events.nowcast import comparison
    from vigil.events.panels import build_panel
    from vigil.events.synthetic import escalation_panel

    panel = escalation_panel(seed=seed) if synthetic else build_panel(_store(), level.value)
    if panel.empty:
        typer.echo("no events in the store: run `vigil events ingest` or `vigil events seed`")
        raise typer.Exit(1)
    table = comparison(panel, "admin1" if synthetic else level.value)
    typer.echo(table.round(3).to_string(index=False))


def monitor_command(
    month: str | None = typer.Option(None, "--month", help="YYYY-MM (default: latest month)."),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="Output format."),
    min_probability: float = typer.Option(
        0.1, "--min-probability", min=0, max=1, help="Hide forecasts below this probability."
    ),
) -> None:
    """Escalation and forecast signals for one month, per country and admin1."""
    from vigil.errors import UsageError
    from vigil.events.signals import CSV_COLUMNS, monitor

    if month is not None and not _is_month(month):
        raise UsageError(f"--month must be YYYY-MM, got {month!r}")
    store = _store()
    signals = monitor(store, month, min_probability=min_probability)
    rows = [s.as_dict() for s in signals]
    payload = {
        "provenance": {**store.provenance(), "generated_at": datetime.now(UTC).isoformat()},
        "month": month,
        "signals": rows,
    }
    _save(payload)
    if output is OutputFormat.json:
        _emit_json(payload)
        return
    import pandas as pd

    frame = pd.DataFrame(rows, columns=[*CSV_COLUMNS, "events"])
    if output is OutputFormat.csv:
        sys.stdout.write(frame[list(CSV_COLUMNS)].to_csv(index=False))
        return
    if frame.empty:
        typer.echo("no signals (is the store empty? see `vigil events stats`)")
        return
    frame["events"] = frame["events"].map(len)
    _print_frame(frame, f"{len(frame)} signals")


def _is_month(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y-%m")
    except ValueError:
        return False
    return True


def _save(payload: dict[str, Any]) -> None:
    """Keep a copy of every monitor run, with its provenance, under the outputs folder."""
    from vigil.files import write_private

    folder = Settings.from_env().ensure_home() / "outputs"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    write_private(folder / f"monitor-{stamp}.json", json.dumps(payload, default=str, indent=1))


def register(app: typer.Typer) -> None:
    """Add the ``events`` group and the ``monitor`` command to the top-level app."""
    app.add_typer(events_app, name="events")
    app.command("monitor")(monitor_command)
