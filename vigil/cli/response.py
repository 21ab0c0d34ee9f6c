"""``vigil response report``: how quickly warnings led to preventive action."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from vigil.cli.workspace import open_workspace

if TYPE_CHECKING:
    from vigil.workspace.responses import ResponseReport

response_app = typer.Typer(
    help="Response tracking: time from alert to action.", no_args_is_help=True
)


@response_app.command("report")
def report_command(
    iso3: str = typer.Option(None, "--country", help="Only this ISO3 country."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    timeline: bool = typer.Option(False, "--timeline", help="Also print each country's timeline."),
) -> None:
    """Per situation: first alert, first action, days between, alerts still without action."""
    from vigil.workspace.responses import response_report
    from vigil.workspace.users import system_actor

    db = open_workspace()
    with db.session(write=False) as session:
        report = response_report(session, system_actor, iso3)
    if as_json:
        typer.echo(json.dumps(_as_dict(report), indent=2, default=str))
        return
    _print(report, timeline)


def _as_dict(report: ResponseReport) -> dict[str, object]:
    return {
        "situations": [vars(s) for s in report.situations],
        "median_days_to_first_action": report.median_days_to_first_action,
        "situations_without_action": report.situations_without_action,
        "alerts_without_action": report.alerts_without_action,
    }


def _print(report: ResponseReport, timeline: bool) -> None:
    console = Console(width=120)
    table = Table(
        "country",
        "alerts",
        "actions",
        "first alert",
        "first action",
        "days to action",
        "alerts without action",
        title="Response by situation",
    )
    for s in report.situations:
        table.add_row(
            s.iso3,
            str(s.alerts),
            str(s.actions),
            s.first_alert_at.strftime("%Y-%m-%d") if s.first_alert_at else "-",
            str(s.first_action_on or "-"),
            "-" if s.days_to_first_action is None else str(s.days_to_first_action),
            str(len(s.alerts_without_action)),
        )
    console.print(table)
    median = report.median_days_to_first_action
    console.print(
        f"median days from first alert to first action: {'-' if median is None else median}"
    )
    console.print(
        f"alerts without action: {report.alerts_without_action}; situations without "
        f"any action: {', '.join(report.situations_without_action) or 'none'}"
    )
    if timeline:
        for s in report.situations:
            console.print(f"\n[bold]{s.iso3}[/bold]")
            for item in s.timeline:
                console.print(
                    f"  {item['at'][:10]}  {item['kind']:<6} #{item['id']}  {item['what']}"
                )


def register(app: typer.Typer) -> None:
    """Add the ``response`` command group."""
    app.add_typer(response_app, name="response")
