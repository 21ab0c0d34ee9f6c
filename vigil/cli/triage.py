"""``vigil triage PATH...``: the language, countries, likely risk factors and relevance of reports.

A thin layer over :func:`vigil.workspace.intake.extract_text` and
:func:`vigil.workspace.triage.triage`; nothing is stored. Directories are read recursively for
the file types intake understands; the embedding model is loaded once for the whole batch. With
``--json`` the output is always one JSON list, one object per file in the order read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from vigil.errors import DataError, VigilError

SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".xhtml", ".pdf")


def triage_command(
    paths: list[Path] = typer.Argument(
        ..., help="Report files (plain text, HTML or PDF) or directories of them."
    ),
    top: int | None = typer.Option(
        None, "--top", min=1, max=14, help="How many risk factors to show (table: 5, JSON: all)."
    ),
    embeddings: bool = typer.Option(
        True, "--embeddings/--no-embeddings", help="Use the sentence-embedding model."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print a JSON list with one object per file."
    ),
) -> None:
    """Language, countries, Framework of Analysis risk factors and relevance of each report."""
    from vigil.settings import Settings
    from vigil.workspace import embedding

    embedding.select(Settings.from_env().triage_model)
    files = expand(paths)
    results: list[dict[str, Any]] = []
    failed = 0
    for path in files:
        try:
            results.append(triage_file(path, embeddings))
        except VigilError as err:
            failed += 1
            sys.stderr.write(f"{err}\n")
            continue
        if not as_json:
            _print(results[-1], top or 5)
    if as_json:
        for result in results:
            result["factors"] = result["factors"][: top or 14]
        sys.stdout.write(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    if failed:
        raise DataError(f"{failed} of {len(files)} reports could not be triaged (see above)")


def expand(paths: list[Path]) -> list[Path]:
    """The files named, and the report files under the directories named (sorted), once each."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
            )
            if not found:
                raise DataError(
                    f"no report files ({', '.join(SUFFIXES)}) in this directory", path=str(path)
                )
            files += found
        else:
            files.append(path)
    return list(dict.fromkeys(files))


def triage_file(path: Path, embeddings: bool = True) -> dict[str, Any]:
    """The triage of one file as a JSON-ready dictionary, with its path and title."""
    from vigil.workspace.intake import extract_text
    from vigil.workspace.triage import triage

    try:
        data = path.read_bytes()
    except OSError as err:
        raise DataError(f"cannot read the report: {err.strerror}", path=str(path)) from err
    extracted = extract_text(data, None, str(path))
    result = triage(extracted.text, title=extracted.title, use_embeddings=embeddings)
    payload: dict[str, Any] = {"file": str(path), "title": extracted.title, **result.to_dict()}
    return payload


def _print(result: dict[str, Any], top: int) -> None:
    console = Console()
    console.print(f"[bold]{result['file']}[/bold]")
    if result["notice"]:
        console.print(f"[yellow]{result['notice']}[/yellow]")
    names = ", ".join(f"{c['name']} ({c['iso3']}) ×{c['count']}" for c in result["countries"])
    console.print(f"Language: {result['language']} · relevance {result['relevance']:.2f}")
    console.print(f"Countries: {names or 'none detected'}")
    table = Table("rank", "factor", "score", "keywords", "closest indicator")
    shown = [factor for factor in result["factors"][:top] if factor["score"] > 0]
    for rank, factor in enumerate(shown, 1):
        table.add_row(
            str(rank),
            f"{factor['factor_id']} {factor['title']}",
            f"{factor['score']:.3f}",
            ", ".join(factor["terms"][:4]),
            factor["indicator_id"] or "",
        )
    console.print(table if shown else "No risk factor stands out in this text.")


def register(app: typer.Typer) -> None:
    """Add ``vigil triage`` to the application."""
    app.command("triage")(triage_command)
