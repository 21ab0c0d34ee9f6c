"""``vigil alerts``: run the alert rules and deliver pending notifications."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from vigil.cli.channels import channels_app
from vigil.cli.workspace import open_workspace
from vigil.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

alerts_app = typer.Typer(help="Alert rules and notifications.", no_args_is_help=True)
alerts_app.add_typer(channels_app, name="channels")


@alerts_app.command("evaluate")
def evaluate_command(
    model: str = typer.Option(None, "--model", help="Forecast model (default: the default)."),
    base_year: int = typer.Option(
        None, "--base-year", help="Forecast base year (default: latest)."
    ),
    signals: bool = typer.Option(False, "--signals", help="Also run the event-signal rules."),
    month: str = typer.Option(None, "--month", help="Signal month YYYY-MM (default: latest)."),
) -> None:
    """Run the forecast rules (and, with --signals, the event-signal rules); print new alerts."""
    from vigil.risk.forecast import forecast_pair
    from vigil.risk.table import load_table
    from vigil.workspace import alerts as work
    from vigil.workspace.users import system_actor

    settings = Settings.from_env()
    pair = forecast_pair(load_table(), model, base_year, seed=settings.seed)
    frame = _signals(settings, month) if signals else None
    with open_workspace().session() as session:
        raised = work.evaluate(session, system_actor, pair.frames, signals=frame)
        for alert in raised:
            typer.echo(f"#{alert.id} {alert.severity:<6} {alert.title}")
    typer.echo(f"{len(raised)} new alert(s)")


def _signals(settings: Settings, month: str | None) -> pd.DataFrame:
    """The event store's signals for ``month`` as a frame."""
    import pandas as pd

    from vigil.events.signals import monitor
    from vigil.events.store import EventStore

    store = EventStore.from_settings(settings)
    return pd.DataFrame([s.as_dict() for s in monitor(store, month)])


@alerts_app.command("notify")
def notify_command() -> None:
    """Deliver pending notifications, retrying with back-off until each is sent or gives up."""
    from vigil.workspace.notifications import Sender, deliver_all

    made = deliver_all(open_workspace(), sender=Sender.from_settings(Settings.from_env()))
    typer.echo(f"{made} delivery attempt(s)")


def register(app: typer.Typer) -> None:
    """Add the ``alerts`` command group."""
    app.add_typer(alerts_app, name="alerts")
