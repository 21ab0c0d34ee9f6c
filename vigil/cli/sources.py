"""``vigil sources add|list|remove`` and ``vigil sync``: live data sources and syncing them now.

Thin wrappers over :mod:`vigil.sources`; the environment is read here, at the edge, and handed to
the sync (credentials are named by variable in a source's definition and read only when it runs).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from vigil.settings import Settings

if TYPE_CHECKING:
    from vigil.events.store import EventStore

sources_app = typer.Typer(help="Live data sources (UCDP GED, ACLED, GDELT 2.0, feeds).")

#: Seconds ``vigil sync`` waits for a sync running elsewhere (e.g. in ``vigil serve``).
LOCK_WAIT = 600.0


def _store() -> EventStore:
    from vigil.events.store import EventStore

    return EventStore.from_settings(Settings.from_env())


@sources_app.command("add")
def add_command(
    name: str = typer.Argument(..., help="A short name for the source."),
    kind: str = typer.Option(
        ..., "--kind", help="ucdp-ged, ucdp-candidate, acled, gdelt2 or feed."
    ),
    url: str | None = typer.Option(None, "--url", help="API root (or the feed's address)."),
    release: str | None = typer.Option(None, "--release", help="UCDP release, e.g. 25.1."),
    country: list[str] = typer.Option([], "--country", help="ISO3 code; repeat for more."),
    since: str | None = typer.Option(None, "--since", help="First date to fetch, YYYY-MM-DD."),
    every: str | None = typer.Option(None, "--every", help="15m, 1h, 1d or 1w."),
    token_env: str | None = typer.Option(None, "--token-env", help="Variable with the token."),
    user_env: str | None = typer.Option(None, "--user-env", help="Variable with the user."),
    password_env: str | None = typer.Option(
        None, "--password-env", help="Variable with the password."
    ),
) -> None:
    """Register a source; credentials are named by environment variable, read at sync time."""
    from vigil.sources import registry
    from vigil.sources.freshness import write_sidecar

    spec = registry.make_spec(
        name,
        kind,
        url=url,
        release=release,
        countries=country,
        since=since,
        every=every,
        token_env=token_env,
        user_env=user_env,
        password_env=password_env,
    )
    store = _store()
    registry.add(store, spec)
    write_sidecar(store)
    _audit("create", spec.name, after=spec.public())
    typer.echo(f"added source {spec.name} ({spec.kind.value}, every {spec.every}, {spec.url})")


@sources_app.command("list")
def list_command(
    as_json: bool = typer.Option(False, "--json", help="Print as a JSON list."),
) -> None:
    """Every source with its state and freshness."""
    from vigil.sources.freshness import source_rows

    rows = source_rows(_store())
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2, default=str) + "\n")
        return
    if not rows:
        typer.echo("no sources: add one with `vigil sources add NAME --kind ...`")
        return
    for row in rows:
        typer.echo(
            f"{row['name']:<16} {row['kind']:<15} every {row['every']:<4} "
            f"{row['status'] or 'never synced':<12} {row['freshness']}"
            + ("  STALE" if row["stale"] else "")
        )


@sources_app.command("remove")
def remove_command(name: str = typer.Argument(..., help="The source's name.")) -> None:
    """Forget a source and its sync state (the events it brought stay)."""
    from vigil.sources import registry
    from vigil.sources.freshness import write_sidecar

    store = _store()
    before = registry.get(store, name).public()
    registry.remove(store, name)
    write_sidecar(store)
    _audit("delete", name, before=before)
    typer.echo(f"removed source {name}")


def sync_command(
    names: list[str] = typer.Argument(None, help="Sources to sync (default: every due one)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per source."),
    engine: str = typer.Option("local", "--engine", help="local (DuckDB) or dask."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address (a local cluster when omitted)."
    ),
) -> None:
    """Sync sources now; exit 1 when any of them failed."""
    from vigil.errors import UsageError
    from vigil.sources.arrival import alerts_on_arrival
    from vigil.sources.sync import sync

    if engine not in ("local", "dask"):
        raise UsageError(f"--engine {engine!r}: expected local or dask")
    settings = Settings.from_env()
    client = _dask(scheduler) if engine == "dask" else None
    try:
        with _progress(enabled=not as_json and sys.stderr.isatty()) as progress:
            results = sync(
                settings,
                names or (),
                env=dict(os.environ),
                wait=LOCK_WAIT,
                progress=progress,
                workspace=_workspace,
                on_arrival=alerts_on_arrival(_workspace),
                client=client,
            )
    finally:
        if client is not None:
            client.close()
    if as_json:
        sys.stdout.write(json.dumps([r.as_dict() for r in results], indent=2) + "\n")
    else:
        _print(results)
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


def _audit(
    action: str,
    name: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Record a change to the sources in the workspace's audit log (as the system actor)."""
    from vigil.workspace import audit
    from vigil.workspace.users import system_actor

    with _workspace().session() as session:
        audit.record(session, system_actor, action, "live_source", name, before=before, after=after)


def _dask(scheduler: str | None) -> Any:
    from vigil.events.engine import client_for

    return client_for(scheduler)


def _workspace() -> Any:
    from vigil.cli.workspace import open_workspace

    return open_workspace()


def _print(results: list[Any]) -> None:
    if not results:
        typer.echo("no source is due (name one to sync it anyway)")
    for r in results:
        counts = (
            f"fetched {r.fetched}, ingested {r.ingested}, updated {r.updated}, "
            f"unchanged {r.unchanged}, superseded {r.superseded}, quarantined {r.quarantined}"
        )
        through = f", events through {r.through}" if r.through else ""
        line = f"{r.source}: {r.status}: {counts}{through}"
        typer.echo(line + (f" — {r.error}" if r.error else ""), err=r.status == "failed")


@contextmanager
def _progress(*, enabled: bool) -> Iterator[Any]:
    """A rich progress bar on stderr while syncing (None when not on a terminal)."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    tasks: dict[str, Any] = {}
    with Progress(console=Console(stderr=True), transient=True) as bar:

        def report(label: str, done: int, total: int | None) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done, total=total)

        yield report


def register(app: typer.Typer) -> None:
    """Add the ``sources`` group and the ``sync`` command."""
    app.add_typer(sources_app, name="sources")
    app.command("sync")(sync_command)
