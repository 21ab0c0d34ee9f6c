"""Entry point of the ``vigil`` command: registers every command group and maps errors to exits.

Exit codes: 0 success, 1 a data or user error (one line on stderr), 2 a usage error.
"""

from __future__ import annotations

import sys

import typer

from vigil import __version__
from vigil.cli import risk
from vigil.cli import alerts, db, response, serve, users
from vigil.errors import VigilError

app = typer.Typer(
    name="vigil",
    help="Vigil: early warning and response for the prevention of mass atrocities.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
risk.register(app)
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
    """Console-script entry point: run the app, turning Vigil errors into exit code 1."""
    try:
        app()
    except VigilError as err:
        message = " ".join(str(err).split())
        typer.echo(f"vigil: error: {message}", err=True)
        sys.exit(err.exit_code)
