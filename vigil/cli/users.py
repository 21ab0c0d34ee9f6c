"""``vigil users``: add, list and disable users; issue, list and revoke API tokens."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table

from vigil.cli.workspace import open_workspace
from vigil.errors import UsageError
from vigil.settings import Settings

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
    must_change: bool = typer.Option(
        False, "--must-change", help="The password is one-time: change it at first sign-in."
    ),
) -> None:
    """Create a user (with a password read from stdin, for web sign-in)."""
    from vigil.workspace import users as accounts

    password = _read_password() if password_stdin else None
    db = open_workspace()
    with db.session() as session:
        user = accounts.add_user(
            session,
            accounts.system_actor,
            name,
            role=role,
            clearance=clearance,
            password=password,
            must_change_password=must_change,
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
    """Disable a user: their password, sessions and API tokens stop working."""
    from vigil.workspace import users as accounts

    db = open_workspace()
    with db.session() as session:
        accounts.disable_user(session, accounts.system_actor, name)
    typer.echo(f"disabled {name}")


@users_app.command("token")
def token_command(
    name: str = typer.Argument(..., help="The user the token acts as."),
    label: str = typer.Option("", "--label", help="What the token is for."),
    days: int = typer.Option(
        None, "--days", min=1, max=3650, help="Lifetime in days (default: VIGIL_TOKEN_DAYS)."
    ),
) -> None:
    """Print a new API token for a user (shown once; only its hash is stored)."""
    from vigil.workspace import users as accounts

    lifetime = days or Settings.from_env().token_days
    db = open_workspace()
    with db.session() as session:
        token = accounts.issue_token(
            session, accounts.system_actor, accounts.get_user(session, name), label, days=lifetime
        )
    typer.echo(token)


@users_app.command("tokens")
def tokens_command(name: str = typer.Argument(..., help="Whose tokens to list.")) -> None:
    """List a user's API tokens: id, label, created, expires, revoked (never the token)."""
    from vigil.workspace import users as accounts

    db = open_workspace()
    table = Table("id", "label", "created", "expires", "revoked")
    with db.session(write=False) as session:
        for row in accounts.list_tokens(session, accounts.get_user(session, name)):
            expires = row.expires_at.strftime("%Y-%m-%d %H:%M") if row.expires_at else "-"
            table.add_row(
                str(row.id),
                row.label,
                row.created_at.strftime("%Y-%m-%d %H:%M"),
                expires,
                "yes" if row.revoked else "no",
            )
    Console(width=120).print(table)


@users_app.command("revoke")
def revoke_command(
    token_id: int = typer.Argument(None, help="The id of the token to revoke (see `tokens`)."),
    sessions: str = typer.Option(
        None, "--sessions", help="Instead: end every web session of this user."
    ),
) -> None:
    """Revoke one API token by id, or end every web session of a user."""
    from vigil.workspace import users as accounts
    from vigil.workspace.sessions import end_all_sessions

    if (token_id is None) == (sessions is None):
        raise typer.BadParameter("give a token id or --sessions NAME (one of the two)")
    db = open_workspace()
    with db.session() as session:
        if sessions is not None:
            user = accounts.get_user(session, sessions)
            ended = end_all_sessions(session, accounts.system_actor, user.id)
            typer.echo(f"ended {ended} session(s) of {user.name}")
            return
        row = accounts.revoke_token(session, accounts.system_actor, token_id)
        typer.echo(f"revoked token {row.id} ({row.label or 'no label'})")


def register(app: typer.Typer) -> None:
    """Add the ``users`` command group."""
    app.add_typer(users_app, name="users")
