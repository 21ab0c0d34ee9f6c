"""Entry point of the ``vigil`` command: registers every command group and maps errors to exits.

Exit codes: 0 success, 1 a data or user error (one line on stderr), 2 a usage error.
"""

from __future__ import annotations

import os
from typing import Any

import typer
from typer.core import TyperGroup

from vigil import __version__
from vigil.cli import alerts, db, response, risk, serve, users
from vigil.cli import backtest as backtest_cli
from vigil.cli import brief as brief_cli
from vigil.cli import data as data_cli
from vigil.cli import events as events_cli
from vigil.cli import horizons as horizons_cli
from vigil.cli import sources as sources_cli
from vigil.cli import triage as triage_cli
from vigil.errors import VigilError, redact_paths


class VigilGroup(TyperGroup):
    """The top-level group: a :class:`VigilError` becomes one line on stderr and its exit code."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click Context is private
        try:
            return super().invoke(ctx)
        except VigilError as err:
            message = redact_paths(" ".join(str(err).split()), others=False)
            typer.echo(f"vigil: error: {message}", err=True)
            raise typer.Exit(err.exit_code) from err


app = typer.Typer(
    cls=VigilGroup,
    name="vigil",
    help="Vigil: early warning and response for the prevention of mass atrocities.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
risk.register(app)
backtest_cli.register(app)
events_cli.register(app)
triage_cli.register(app)
brief_cli.register(app)
sources_cli.register(app)

data_cli.register(app)
horizons_cli.register(app)
for _group in (db, users, alerts, response, serve):
    _group.register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vigil {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Vigil: where mass-atrocity risk is rising, why, what is happening, what is being done."""


def run() -> None:
    """Console-script entry point: everything this process creates is owner-only (umask 077),
    since the data directory holds confidential reports and password hashes."""
    os.umask(0o077)
    app()
