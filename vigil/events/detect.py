"""Which event format a file is, from its header or its field count, and which it is not.

Vigil reads UCDP GED (final and candidate releases), ACLED (every export layout), GDELT 1.0 (57
or 58 tab-separated fields, no header) and GDELT 2.0 (61). Files that are close relatives but not
event rows — a GDELT mentions or GKG file, an aggregated ACLED table, a UCDP conflict-year table —
are named as what they are and refused, so that no file is ever "processed" with every row
quarantined.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from vigil.events import acled, gdelt, ged
from vigil.events.dialect import Dialect, decode_sample, first_lines, open_bytes

FORMATS = {
    "ucdp-ged": "UCDP GED",
    "acled": "ACLED",
    "gdelt1": "GDELT 1.0 events",
    "gdelt2": "GDELT 2.0 events",
}
KNOWN = ", ".join(f"{name} ({fmt})" for fmt, name in FORMATS.items())
_GKG_ID = re.compile(r"^\d{14}-T?\d+$")


class NotEventFile(Exception):
    """The file is readable but not event rows of a format Vigil reads; says what it looks like."""


@dataclass(frozen=True, slots=True)
class Detected:
    """A recognised file: its format, layout, and the column names its fields are read under."""

    format: str
    layout: str
    columns: tuple[str, ...]
    header: bool


def head_fields(path: Path, dialect: Dialect) -> list[str]:
    """The fields of the file's first line (header or first record)."""
    with open_bytes(path) as handle:
        sample = handle.read(1 << 16)
    line = first_lines(decode_sample(sample, dialect.encoding).lstrip("\ufeff"), 1)[0]
    return next(csv.reader([line], delimiter=dialect.delimiter), [])


def unique_names(fields: list[str]) -> list[str]:
    """Header fields as column names: trimmed, lower case, a blank or repeated one made unique
    (``_blank_3``) so that every field keeps a name."""
    names: list[str] = []
    for index, field in enumerate(fields):
        name = field.strip().lstrip("\ufeff").lower()
        names.append(name if name and name not in names else f"_blank_{index}")
    return names


def detect(path: Path, dialect: Dialect) -> Detected:
    """The format and layout of ``path``; NotEventFile naming what it looks like otherwise."""
    fields = head_fields(path, dialect)
    names = [name.strip().lower() for name in fields]
    if dialect.delimiter == "\t" and fields and fields[0].strip().isdigit():
        return _headerless(fields)
    if set(ged.REQUIRED) <= set(names):
        layout = f"ged-{len(names)}-columns"
        return Detected("ucdp-ged", layout, tuple(unique_names(fields)), header=True)
    if "event_id_cnty" in names:
        return _acled(fields)
    raise NotEventFile(_unknown_header(names, fields))


def _acled(fields: list[str]) -> Detected:
    columns = acled.normalised_names(fields)
    missing = [name for name in acled.REQUIRED if name not in columns]
    if missing:
        raise NotEventFile(f"an ACLED table without {', '.join(missing)}")
    if not set(acled.COUNTRY_CODES) & set(columns):
        raise NotEventFile(
            f"an ACLED table without a country code ({', '.join(acled.COUNTRY_CODES)})"
        )
    return Detected("acled", acled.layout_of(fields), tuple(columns), header=True)


def _headerless(fields: list[str]) -> Detected:
    count = len(fields)
    if count in (57, 58):
        return Detected("gdelt1", f"gdelt1-{count}-columns", gdelt.GDELT1_COLUMNS[:count], False)
    if count == 61:
        return Detected("gdelt2", "gdelt2-61-columns", gdelt.COLUMNS, header=False)
    if count in (15, 16) and len(fields[1].strip()) == 14:
        raise NotEventFile("a GDELT 2.0 mentions file (one row per article mentioning an event)")
    raise NotEventFile(f"tab-separated rows of {count} fields starting {fields[0]!r}")


def _unknown_header(names: list[str], fields: list[str]) -> str:
    found = set(names)
    if fields and _GKG_ID.match(fields[0].strip()):
        return "a GDELT Global Knowledge Graph (GKG) file"
    if {"date", "numarts", "themes"} <= found or "gkgrecordid" in found:
        return "a GDELT Global Knowledge Graph (GKG) file"
    if {"globaleventid", "mentiontimedate"} <= found:
        return "a GDELT 2.0 mentions file (one row per article mentioning an event)"
    if ("events" in found and "fatalities" in found) or {"events", "week"} <= found:
        return "an aggregated ACLED table (event counts per area and week or month, not events)"
    if {"conflict_id", "intensity_level"} <= found:
        return "a UCDP/PRIO Armed Conflict Dataset table (one row per conflict-year, not events)"
    if found & {"id", "type_of_violence", "side_a"}:
        missing = [name for name in ged.REQUIRED if name not in found]
        return f"a UCDP GED table without {', '.join(missing)}"
    shown = ", ".join(field.strip()[:30] for field in fields[:4])
    return f"a table of {len(fields)} columns starting {shown}"
