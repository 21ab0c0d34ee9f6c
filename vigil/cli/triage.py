"""``vigil triage FILE``: extract a report's text and show its countries and likely risk factors.

A thin layer over :func:`vigil.workspace.intake.extract_text` and
:func:`vigil.workspace.triage.triage`; nothing is stored.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from vigil.errors import DataError


def triage_command(
    path: Path = typer.Argument(..., help="A report as plain text, HTML or PDF."),
    top: int = typer.Option(5, "--top", min=1, max=14, help="How many risk factors to show."),
    embeddings: bool = typer.Option(
        True, "--embeddings/--no-embeddings", help="Use the sentence-embedding model if installed."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the full result as JSON."),
) -> None:
    """Countries named in a report and the Framework of Analysis risk factors it most concerns."""
    from vigil.workspace.intake import extract_text
    from vigil.workspace.triage import triage

    try:
        data = path.read_bytes()
    except OSError as err:
        raise DataError(f"cannot read the report: {err.strerror}", path=str(path)) from err
    extracted = extract_text(data, None, str(path))
    result = triage(extracted.text, use_embeddings=embeddings)
    if as_json:
        payload: dict[str, Any] = {"file": str(path), "title": extracted.title, **result.to_dict()}
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        return
    console = Console()
    if result.notice:
        console.print(f"[yellow]{result.notice}[/yellow]")
    names = ", ".join(f"{c.name} ({c.iso3}) ×{c.count}" for c in result.countries)
    console.print(f"Countries: {names or 'none detected'}")
    table = Table("rank", "factor", "score", "keywords", "closest indicator")
    shown = [factor for factor in result.top(top) if factor.score > 0]
    for rank, factor in enumerate(shown, 1):
        table.add_row(
            str(rank),
            f"{factor.factor_id} {factor.title}",
            f"{factor.score:.3f}",
            ", ".join(factor.terms[:4]),
            factor.indicator_id or "",
        )
    console.print(table if shown else "No risk factor stands out in this text.")


def register(app: typer.Typer) -> None:
    """Add ``vigil triage`` to the application."""
    app.command("triage")(triage_command)
