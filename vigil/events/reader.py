"""How a source file is read: the shared CSV plumbing every format's reader uses.

A :class:`Reader` says how DuckDB should scan a format (delimiter, quoting, header or fixed column
names) and gives the SQL that turns the raw text fields of one row into the normalised event model
plus a ``reason`` that is NULL for a good row and says what is wrong with a bad one. Every field is
read as text so that no row is lost to a type error: bad values are judged, not dropped.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vigil.errors import DataError

GZIP_MAGIC = b"\x1f\x8b"


def quote_literal(text: str) -> str:
    """A SQL string literal for ``text``."""
    return "'" + text.replace("'", "''") + "'"


def is_gzip(path: Path) -> bool:
    """True when the file starts with the gzip magic number, whatever its name."""
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def header_of(path: Path) -> list[str]:
    """The column names in the first line of a comma-separated file (plain or gzip)."""
    opener = gzip.open if is_gzip(path) else open
    try:
        with opener(path, "rb") as handle:
            line = handle.readline().decode("utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError, EOFError) as err:
        raise DataError(f"cannot read the header: {err}", path=str(path), row=1) from err
    import csv

    return [name.strip().lstrip("\ufeff") for name in next(csv.reader([line]), [])]


def newline_of(path: Path) -> str:
    """The file's line terminator as DuckDB spells it, judged from its first line.

    Given explicitly because DuckDB's own guess can take a carriage return inside a quoted field
    for the line terminator.
    """
    opener = gzip.open if is_gzip(path) else open
    with opener(path, "rb") as handle:
        line = handle.readline()
    return "\\r\\n" if line.endswith(b"\r\n") else "\\n"


@dataclass(frozen=True, slots=True)
class Reader:
    """One event format: how to scan it and how to normalise a row of it.

    ``select`` receives the set of columns present and returns a SQL select list over relation
    ``r`` (the scan alone: countries are looked up with the store's macros, not joined, so the
    scan keeps the file's row order) that yields every normalised column except ``row_hash`` and
    ``file``, plus ``reason``.
    """

    source: str
    delimiter: str
    header: bool
    required: tuple[str, ...]
    select: Callable[[frozenset[str]], str]
    names: tuple[str, ...] = ()
    quote: str = '"'
    raw_columns: tuple[str, ...] = field(default=())

    def columns_of(self, path: Path) -> list[str]:
        """The file's column names (its header, or the format's fixed names); checks them."""
        if not self.header:
            return list(self.names)
        found = header_of(path)
        missing = [name for name in self.required if name not in found]
        if missing:
            raise DataError(
                f"not a {self.source} file: the header lacks {', '.join(missing)} "
                f"(found {len(found)} columns starting {', '.join(found[:4])})",
                path=str(path),
                row=1,
            )
        return found

    def scan_sql(self, path: Path, columns: Sequence[str], rejects: str) -> str:
        """A ``read_csv`` call that reads every field as text and records malformed lines."""
        spec = ", ".join(f"{quote_literal(name)}: 'VARCHAR'" for name in columns)
        quote = quote_literal(self.quote) if self.quote else "''"
        escape = quote if self.quote else "''"
        compression = "gzip" if is_gzip(path) else "none"
        return (
            f"read_csv({quote_literal(str(path))}, columns={{{spec}}}, auto_detect=false, "
            f"header={str(self.header).lower()}, delim={quote_literal(self.delimiter)}, "
            f"quote={quote}, escape={escape}, compression='{compression}', "
            f"null_padding=false, strict_mode=true, store_rejects=true, "
            f"rejects_table='{rejects}', rejects_scan='{rejects}_scan', "
            f"new_line={quote_literal(newline_of(path))}, max_line_size=4000000)"
        )


def column_or_null(name: str, present: frozenset[str]) -> str:
    """A reference to raw column ``name``, or NULL when the file lacks it."""
    return f'r."{name}"' if name in present else "NULL::VARCHAR"


def nonneg_int(expr: str) -> str:
    """SQL: a text field as an integer (NULL when empty)."""
    return f"TRY_CAST(NULLIF(trim({expr}), '') AS INTEGER)"


def bad_count(expr: str) -> str:
    """SQL condition: a non-empty count field that is not a non-negative integer."""
    return (
        f"(NULLIF(trim({expr}), '') IS NOT NULL AND "
        f"coalesce(TRY_CAST(trim({expr}) AS INTEGER) < 0, true))"
    )
