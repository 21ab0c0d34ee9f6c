"""``vigil brief``: two-page country and watchlist briefs as HTML or PDF."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from vigil.errors import UsageError
from vigil.files import atomic_write
from vigil.settings import Settings

if TYPE_CHECKING:
    from vigil.web.briefs import BriefSources


class BriefFormat(StrEnum):
    html = "html"
    pdf = "pdf"


def brief_command(
    country: str | None = typer.Argument(None, help="ISO3 code or the table's country name."),
    watchlist: bool = typer.Option(False, "--watchlist", help="The global watchlist brief."),
    fmt: BriefFormat = typer.Option(BriefFormat.pdf, "--format", help="html or pdf."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write."),
    clearance: str = typer.Option(
        "public", "--clearance", help="Highest level of workspace material to include."
    ),
) -> None:
    """Write a two-page brief; the footer names the data hash and the model."""
    from vigil.web.briefs import country_brief, to_pdf, watchlist_brief

    if watchlist == (country is not None):
        raise UsageError("give either a COUNTRY (e.g. MMR) or --watchlist, not both or neither")
    sources = _sources(Settings.from_env())
    html = (
        watchlist_brief(sources)
        if watchlist
        else country_brief(sources, str(country), clearance=clearance)
    )
    body = to_pdf(html) if fmt is BriefFormat.pdf else html.encode("utf-8")
    name = "watchlist" if watchlist else str(country).upper().replace(" ", "_").replace("/", "-")
    target = output or Path(f"vigil-brief-{name}-{sources.snapshot.base_year}.{fmt.value}")
    _write(target, body)
    typer.echo(
        f"wrote {target} ({len(body):,} bytes, model {sources.snapshot.model}, "
        f"data sha256 {sources.snapshot.data_sha256[:12]})"
    )


def _sources(settings: Settings) -> BriefSources:
    """The snapshot, event activity and workspace database of this data directory."""
    from vigil.web.activity import Activity
    from vigil.web.briefs import BriefSources
    from vigil.web.snapshot import load_snapshot
    from vigil.workspace.database import open_database
    from vigil.workspace.migrations import upgrade

    settings.ensure_home()
    snapshot = load_snapshot(settings)
    activity = Activity()
    activity.refresh(settings)
    db = open_database(settings)
    upgrade(db)
    from vigil.sources.freshness import SIDECAR, SidecarReader

    line = SidecarReader(settings.home / SIDECAR).read().line()
    return BriefSources(snapshot=snapshot, activity=activity, db=db, freshness=line)


def _write(target: Path, body: bytes) -> None:
    """Write atomically, so a failed render never leaves half a file."""
    if str(target) == "-":
        sys.stdout.buffer.write(body)
        return
    atomic_write(target, body)


def register(app: typer.Typer) -> None:
    """Add the ``brief`` command."""
    app.command("brief")(brief_command)
