"""``vigil users``: add, list, disable users and issue API tokens."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table

from vigil.cli.workspace import open_workspace
from vigil.errors import UsageError

users_app = typer.Typer(
    help="Workspace users, roles, clearance and API tokens.", no_args_is_help=True
)


@users_app.command("add")
def add_command(
    name: str = typer.Argument(..., help="Login name (no spaces)."),
    role: str = typer.Option("viewer", "--role", help="viewer, analyst, reviewer or admin."),
    clearance: str = typer.Option(
        "public", "--clearance", help="public, restricted, confidential."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Create a user (with a password read from stdin, for web sign-in)."""
    from vigil.workspace import users as accounts

    password = _read_password() if password_stdin else None
    db = open_workspace()
    with db.session() as session:
        user = accounts.add_user(
            session, accounts.system_actor, name, role=role, clearance=clearance, password=password
        )
        typer.echo(f"added {user.name} ({user.role}, clearance {user.clearance})")


def _read_password() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise UsageError("no password on standard input")
    return password


@users_app.command("list")
def list_command() -> None:
    """Show every user with role, clearance and status."""
    from vigil.workspace import users as accounts

    db = open_workspace()
    table = Table("name", "role", "clearance", "active", "created")
    with db.session(write=False) as session:
        for user in accounts.list_users(session):
            table.add_row(
                user.name,
                user.role,
                user.clearance,
                "yes" if user.active else "no",
                user.created_at.strftime("%Y-%m-%d"),
            )
    Console(width=120).print(table)


@users_app.command("disable")
def disable_command(name: str = typer.Argument(..., help="The user to disable.")) -> None:
    """Disable a user: their password and API tokens stop working."""
    from vigil.workspace import users as accounts

    db = open_workspace()
    with db.session() as session:
        accounts.disable_user(session, accounts.system_actor, name)
    typer.echo(f"disabled {name}")


@users_app.command("token")
def token_command(
    name: str = typer.Argument(..., help="The user the token acts as."),
    label: str = typer.Option("", "--label", help="What the token is for."),
) -> None:
    """Print a new API token for a user (shown once; only its hash is stored)."""
    from vigil.workspace import users as accounts

    db = open_workspace()
    with db.session() as session:
        token = accounts.issue_token(
            session, accounts.system_actor, accounts.get_user(session, name), label
        )
    typer.echo(token)


def register(app: typer.Typer) -> None:
    """Add the ``users`` command group."""
    app.add_typer(users_app, name="users")
