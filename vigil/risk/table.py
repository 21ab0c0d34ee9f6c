"""The country-year modelling table: loading, validation, identity and content hash."""

from __future__ import annotations

import difflib
import gzip
import hashlib
import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from vigil.countries import identify
from vigil.data import EWP_TABLE, bundled
from vigil.errors import DataError, UnknownCountryError
from vigil.risk.variables import EWP_PREDICTORS, binary_predictors, predictor_bounds

TARGET = "mk_onset_1or2"
IDENTITY = ("ewp_name", "ccode", "year")
OUTCOMES = (TARGET, "mk_onset")
REQUIRED = (*IDENTITY, *[p for p in EWP_PREDICTORS if p != "year"], *OUTCOMES)

#: Columns that must hold 0 or 1 wherever they are not missing.
BINARY = (*binary_predictors(), TARGET, "mk_onset")

#: Inclusive ranges of the other bounded columns (None: unbounded on that side).
RANGES: dict[str, tuple[float | None, float | None]] = {
    "ccode": (1, 999),
    **predictor_bounds(),
}

#: Columns that may never be missing.
COMPLETE = (*IDENTITY, *OUTCOMES)


@dataclass(frozen=True)
class RiskTable:
    """A validated country-year table with country identity and a content hash.

    ``frame`` has one row per (``ccode``, ``year``) with the source columns plus
    ``country`` (the table's own name) and ``iso3``. ``sha256`` hashes the
    uncompressed file content, so it matches the publisher's checksum.
    """

    frame: pd.DataFrame
    source: str
    sha256: str

    @property
    def last_year(self) -> int:
        """The most recent year in the table (the default base year)."""
        return int(self.frame["year"].max())

    @property
    def first_year(self) -> int:
        return int(self.frame["year"].min())

    @cached_property
    def label_known(self) -> pd.Series:
        """True where the two-year outcome is observed (the last two years are not)."""
        return self.frame["year"] <= self.last_year - 2

    def year(self, year: int) -> pd.DataFrame:
        """Rows of one year."""
        return self.frame[self.frame["year"] == year]

    def training_rows(self, base_year: int) -> pd.DataFrame:
        """Rows whose outcome was known at ``base_year``: year ≤ base_year − 2."""
        return self.frame[(self.frame["year"] <= base_year - 2) & self.label_known]


def load_table(path: str | Path | None = None) -> RiskTable:
    """Load and validate a modelling table; the bundled EWP 2025 table by default."""
    source = Path(path) if path is not None else bundled(EWP_TABLE)
    raw = _read_bytes(source)
    frame = _parse(raw, str(source))
    frame = validate(frame, str(source))
    return RiskTable(frame=frame, source=str(source), sha256=hashlib.sha256(raw).hexdigest())


def _read_bytes(source: Path) -> bytes:
    try:
        data = source.read_bytes()
        return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise DataError(f"cannot read the table: {err}", path=str(source)) from err


def _parse(raw: bytes, path: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, na_values=["", "NA"])
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise DataError(f"not a readable CSV table: {err}", path=path) from err
    if "" in frame.columns or frame.columns.str.startswith("Unnamed").any():
        frame = frame.loc[:, ~frame.columns.str.startswith("Unnamed")]
    return frame


def validate(frame: pd.DataFrame, path: str) -> pd.DataFrame:
    """Check columns, types, ranges, uniqueness and countries; return a typed frame."""
    _check_columns(frame, path)
    if frame.empty:
        raise DataError("the table has a header but no rows: expected one row per country-year",
                        path=path)  # fmt: skip
    typed = _to_numbers(frame, path)
    _check_complete(typed, path)
    _check_ranges(typed, path)
    _check_unique(typed, path)
    return _add_identity(typed, path)


def _check_columns(frame: pd.DataFrame, path: str) -> None:
    missing = [c for c in REQUIRED if c not in frame.columns]
    if not missing:
        return
    extra = [c for c in frame.columns if c not in REQUIRED]
    hints = []
    for name in missing:
        close = difflib.get_close_matches(name, extra, n=1, cutoff=0.75)
        hints.append(f"{name} (found {close[0]!r} — misspelt?)" if close else name)
    raise DataError(
        f"missing required column(s): {', '.join(hints)}; the table must have the "
        "EWP layout (ewp_name, ccode, year, the 39 predictors, mk_onset, mk_onset_1or2)",
        path=path,
        row=1,
        column=missing[0],
    )


def _to_numbers(frame: pd.DataFrame, path: str) -> pd.DataFrame:
    typed = frame.copy()
    for column in frame.columns:
        if column == "ewp_name" or column not in REQUIRED:
            continue
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() & frame[column].notna()
        if bad.any():
            first = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"non-numeric value {frame[column].iloc[first]!r}; expected a number",
                path=path, row=first + 2, column=column,
            )  # fmt: skip
        typed[column] = values
    for column in ("year", "ccode"):
        if (typed[column].dropna() % 1 != 0).any():
            first = int(np.flatnonzero((typed[column] % 1 != 0).to_numpy())[0])
            raise DataError("expected a whole number", path=path, row=first + 2, column=column)
    return typed


def _first_row(mask: pd.Series) -> int:
    return int(np.flatnonzero(mask.to_numpy())[0]) + 2


def _check_complete(frame: pd.DataFrame, path: str) -> None:
    for column in COMPLETE:
        missing = frame[column].isna()
        if missing.any():
            raise DataError("missing value", path=path, row=_first_row(missing), column=column)


def _check_ranges(frame: pd.DataFrame, path: str) -> None:
    for column in BINARY:
        bad = frame[column].notna() & ~frame[column].isin([0, 1])
        if bad.any():
            value = frame.loc[bad, column].iloc[0]
            raise DataError(
                f"value {value!r} out of range; expected 0 or 1",
                path=path, row=_first_row(bad), column=column,
            )  # fmt: skip
    for column, (low, high) in RANGES.items():
        values = frame[column]
        bad = pd.Series(False, index=frame.index)
        if low is not None:
            bad |= values < low
        if high is not None:
            bad |= values > high
        if bad.any():
            value = frame.loc[bad, column].iloc[0]
            upper = "∞" if high is None else high
            raise DataError(
                f"value {value!r} out of range; expected {low} to {upper}",
                path=path, row=_first_row(bad), column=column,
            )  # fmt: skip


def _check_unique(frame: pd.DataFrame, path: str) -> None:
    duplicated = frame.duplicated(["ccode", "year"], keep=False)
    if duplicated.any():
        rows = (np.flatnonzero(duplicated.to_numpy()) + 2).tolist()
        first = frame.loc[duplicated].iloc[0]
        raise DataError(
            f"duplicated country-year {first['ewp_name']!r} {int(first['year'])} "
            f"(rows {', '.join(map(str, rows[:10]))}); expected one row per country-year",
            path=path, row=rows[1], column="year",
        )  # fmt: skip


def _add_identity(frame: pd.DataFrame, path: str) -> pd.DataFrame:
    frame = frame.astype({"year": "int64", "ccode": "int64"}).reset_index(drop=True)
    pairs = frame[["ewp_name", "ccode"]].drop_duplicates()
    iso3: dict[tuple[str, int], str | None] = {}
    for position, name, ccode in zip(pairs.index, pairs["ewp_name"], pairs["ccode"], strict=True):
        try:
            iso3[(str(name), int(ccode))] = identify(str(name), int(ccode)).iso3
        except UnknownCountryError as err:
            raise UnknownCountryError(
                str(err), path=path, row=int(position) + 2, column="ewp_name"
            ) from err
    keys = zip(frame["ewp_name"].astype(str), frame["ccode"].astype(int), strict=True)
    return frame.assign(country=frame["ewp_name"], iso3=pd.Series([iso3[k] for k in keys]))
