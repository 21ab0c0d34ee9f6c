"""The ``vigil data`` commands: rebuild the country-year table from its sources, diff two tables."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from vigil.risk.rebuild.diff import TableDiff

data_app = typer.Typer(help="Build and compare the country-year modelling table.",
                       no_args_is_help=True)  # fmt: skip


@data_app.command("rebuild")
def rebuild_command(
    out: Path = typer.Option(..., "--out", help="Write the table here (.csv or .csv.gz)."),
    sources: Path | None = typer.Option(
        None, "--sources", help="Directory of source files (default: the bundled 2025 inputs)."
    ),
    through: int | None = typer.Option(
        None, "--through", help="Last year of the table (default: the base table's last year)."
    ),
    against: Path | None = typer.Option(
        None, "--diff", help="Compare the rebuilt table with this earlier table and report."
    ),
) -> None:
    """Merge every source, derive the 39 predictors and outcomes, write the table and provenance."""
    from vigil.data import bundled
    from vigil.risk.rebuild import rebuild, write_table
    from vigil.risk.rebuild.build import provenance_path

    table = rebuild(sources or bundled("ewp/rebuild"), through=through)
    record = write_table(table, out)
    typer.echo(f"{out}: {record['rows']:,} country-years, sha256 {record['data_sha256'][:16]}…; "
               f"provenance in {provenance_path(out)}")  # fmt: skip
    for source in record["sources"]:
        typer.echo(f"  {source['key']:<26} {source['release']:<28} {source['sha256'][:12]}")
    if against is not None:
        _report(against, out, 1e-9)


@data_app.command("diff")
def diff_command(
    old: Path = typer.Argument(..., help="The earlier table."),
    new: Path = typer.Argument(..., help="The later table."),
    tolerance: float = typer.Option(1e-9, "--tolerance", min=0, help="Ignore smaller changes."),
    changes: Path | None = typer.Option(None, "--changes", help="Write every change to a CSV."),
) -> None:
    """Which country-years and predictors changed between two tables, and by how much."""
    result = _report(old, new, tolerance)
    if changes is not None:
        result.changes.to_csv(changes, index=False)


def _report(old: Path, new: Path, tolerance: float) -> TableDiff:
    from vigil.risk.rebuild.diff import diff_tables, read_table

    result = diff_tables(read_table(old), read_table(new), tolerance)
    sys.stdout.write(result.text() + "\n")
    return result


def register(app: typer.Typer) -> None:
    """Add ``vigil data`` to the top-level app."""
    app.add_typer(data_app, name="data")
