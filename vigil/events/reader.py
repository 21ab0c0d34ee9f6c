"""How a source file is read: the shared CSV plumbing every format's reader uses.

A :class:`Reader` gives the SQL that turns the raw text fields of one row into the normalised
event model plus a ``reason`` that is NULL for a good row and says what is wrong with a bad one.
A :class:`Scan` says how DuckDB reads one particular file (its columns, header, delimiter, line
end, compression), as judged by :mod:`vigil.events.dialect` and :mod:`vigil.events.detect`.
Every field is read as text so that no row is lost to a type error: bad values are judged, not
dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def quote_literal(text: str) -> str:
    """A SQL string literal for ``text``."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class Reader:
    """One event format: how to normalise a row of it.

    ``select`` receives the set of columns present and returns a SQL select list over relation
    ``r`` (the scan alone: countries are looked up with the store's macros, not joined, so the
    scan keeps the file's row order) that yields every normalised column except the ones the
    ingest adds itself (``row_hash``, ``release``, ``layout``, ``file``), plus ``reason``.
    """

    source: str
    select: Callable[[frozenset[str]], str]
    raw_columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Scan:
    """How DuckDB reads one file: a plain value (it travels to Dask workers)."""

    path: str
    columns: tuple[str, ...]
    header: bool
    delimiter: str
    newline: str
    gzip: bool
    quote: str = '"'

    def sql(self, rejects: str) -> str:
        """A ``read_csv`` call that reads every field as text and records malformed lines.

        The line end is given only for LF files: DuckDB reads CRLF and CR files correctly when
        left to find the line end itself, but silently yields nothing when told ``\\r\\n``.
        """
        spec = ", ".join(f"{quote_literal(name)}: 'VARCHAR'" for name in self.columns)
        newline = ", new_line='\\n'" if self.newline == "lf" else ""
        quote = quote_literal(self.quote) if self.quote else "''"
        return (
            f"read_csv({quote_literal(self.path)}, columns={{{spec}}}, auto_detect=false, "
            f"header={str(self.header).lower()}, delim={quote_literal(self.delimiter)}, "
            f"quote={quote}, escape={quote}, compression='{'gzip' if self.gzip else 'none'}', "
            f"null_padding=false, strict_mode=true, store_rejects=true, "
            f"rejects_table='{rejects}', rejects_scan='{rejects}_scan', "
            f"max_line_size=4000000{newline})"
        )


def column_or_null(name: str, present: frozenset[str]) -> str:
    """A reference to raw column ``name``, or NULL when the file lacks it."""
    return f'r."{name}"' if name in present else "NULL::VARCHAR"


def nonneg_int(expr: str) -> str:
    """SQL: a text field as an integer (NULL when empty)."""
    return f"TRY_CAST(NULLIF(trim({expr}), '') AS INTEGER)"


def decimal(expr: str) -> str:
    """SQL: a text field as a number, accepting a decimal comma (spreadsheets in many locales)."""
    return f"TRY_CAST(replace(trim({expr}), ',', '.') AS DOUBLE)"


def bad_count(expr: str) -> str:
    """SQL condition: a non-empty count field that is not a non-negative integer."""
    return (
        f"(NULLIF(trim({expr}), '') IS NOT NULL AND "
        f"coalesce(TRY_CAST(trim({expr}) AS INTEGER) < 0, true))"
    )
