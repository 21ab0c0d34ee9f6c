"""``vigil alerts channels``: list, add, disable, enable and delete notification channels, and
show a webhook's signing secret."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from vigil.cli.workspace import open_workspace
from vigil.errors import UsageError
from vigil.settings import Settings

channels_app = typer.Typer(help="Notification channels (webhook, e-mail).", no_args_is_help=True)


@channels_app.command("list")
def list_command() -> None:
    """Show every channel: id, name, kind, target, minimum severity, enabled."""
    from vigil.workspace.channels import list_channels

    table = Table("id", "name", "kind", "target", "min severity", "enabled")
    with open_workspace().session(write=False) as session:
        for c in list_channels(session):
            enabled = "yes" if c.enabled else "no"
            table.add_row(str(c.id), c.name, c.kind, c.target, c.min_severity, enabled)
    Console(width=160).print(table)


@channels_app.command("add")
def add_command(
    name: str = typer.Argument(..., help="A name for the channel."),
    kind: str = typer.Option(..., "--kind", help="webhook or email."),
    target: str = typer.Option(..., "--target", help="The URL, or comma-separated addresses."),
    config: str = typer.Option("{}", "--config", help='JSON, e.g. {"smtp_host": "mail"}.'),
    min_severity: str = typer.Option("low", "--min-severity", help="low, medium or high."),
) -> None:
    """Add a channel (the target is checked: addresses, or the outbound address policy)."""
    from vigil.workspace.channels import add_channel
    from vigil.workspace.outbound import OutboundPolicy
    from vigil.workspace.users import system_actor

    try:
        options = json.loads(config)
    except json.JSONDecodeError as err:
        raise UsageError(f"--config is not JSON: {err.msg}") from err
    policy = OutboundPolicy.from_settings(Settings.from_env())
    with open_workspace().session() as session:
        channel = add_channel(session, system_actor, name, kind, target, config=options,
                              min_severity=min_severity, policy=policy)  # fmt: skip
        typer.echo(f"added channel {channel.id} {channel.name} ({channel.kind})")


def _toggle(name: str, enabled: bool) -> None:
    from vigil.workspace.channels import get_channel, set_enabled
    from vigil.workspace.users import system_actor

    with open_workspace().session() as session:
        set_enabled(session, system_actor, get_channel(session, name), enabled)
    typer.echo(f"{'enabled' if enabled else 'disabled'} {name}")


@channels_app.command("disable")
def disable_command(name: str = typer.Argument(..., help="The channel's name.")) -> None:
    """Disable a channel: nothing new is queued or sent on it."""
    _toggle(name, False)


@channels_app.command("enable")
def enable_command(name: str = typer.Argument(..., help="The channel's name.")) -> None:
    """Enable a disabled channel again."""
    _toggle(name, True)


@channels_app.command("delete")
def delete_command(name: str = typer.Argument(..., help="The channel's name.")) -> None:
    """Delete a channel: its pending messages are cancelled, its delivery log is kept."""
    from vigil.workspace.channels import delete_channel, get_channel
    from vigil.workspace.users import system_actor

    with open_workspace().session() as session:
        cancelled = delete_channel(session, system_actor, get_channel(session, name))
    typer.echo(f"deleted {name}; {cancelled} pending notification(s) cancelled")


@channels_app.command("secret")
def secret_command(name: str = typer.Argument(..., help="The webhook channel's name.")) -> None:
    """Print a webhook channel's signing secret (derived from VIGIL_SECRET_KEY)."""
    from vigil.workspace.channels import channel_secret, get_channel

    key = Settings.from_env().secret_key
    if key is None:
        raise UsageError("webhooks are signed: set VIGIL_SECRET_KEY first")
    with open_workspace().session(write=False) as session:
        channel = get_channel(session, name)
        if channel.kind != "webhook":
            raise UsageError(f"channel {name!r} is not a webhook")
        typer.echo(channel_secret(key.get_secret_value(), channel))
