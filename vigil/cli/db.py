"""``vigil db``: upgrade the workspace schema, back it up and restore it."""

from __future__ import annotations

from pathlib import Path

import typer

from vigil.cli.workspace import open_workspace

db_app = typer.Typer(help="Workspace database: upgrade, backup, restore.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_command() -> None:
    """Create or migrate the workspace database to the newest schema."""
    from vigil.workspace.migrations import upgrade as run_upgrade

    db = open_workspace(migrate=False)
    revision = run_upgrade(db)
    typer.echo(f"database at revision {revision} ({db.engine.url.render_as_string()})")


@db_app.command("backup")
def backup_command(
    path: Path = typer.Argument(..., help="File to write (.jsonl or .jsonl.gz)."),
) -> None:
    """Write a consistent, portable snapshot of every table."""
    from vigil.workspace import backup as backups

    summary = backups.backup(open_workspace(), path)
    typer.echo(f"backed up {summary.total} rows at revision {summary.revision} to {path}")


@db_app.command("restore")
def restore_command(
    path: Path = typer.Argument(..., help="A file written by `vigil db backup`."),
    replace: bool = typer.Option(False, "--replace", help="Discard the current contents first."),
) -> None:
    """Load a backup into the workspace database (empty unless --replace)."""
    from vigil.workspace import backup as backups

    summary = backups.restore(open_workspace(migrate=False), path, replace=replace)
    typer.echo(f"restored {summary.total} rows; database at revision {summary.revision}")


def register(app: typer.Typer) -> None:
    """Add the ``db`` command group."""
    app.add_typer(db_app, name="db")
