"""Frame operations the build repeats: keyed left joins and fills within a country."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from vigil.errors import DataError


def join(
    dat: pd.DataFrame,
    other: pd.DataFrame,
    keys: list[str],
    name: str,
    ledger: dict[str, dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """Left join on ``keys``; rows without a key are dropped from ``other`` first.

    A source with two rows for one key is refused: the join would duplicate country-years.
    ``ledger`` receives, under ``name``, how many of the source's rows matched a country-year
    and examples of those that did not (states or years outside the table), so no row is
    dropped silently.
    """
    total = len(other)
    other = other.dropna(subset=keys).copy()
    for key in keys:
        if key != "country":
            other[key] = pd.to_numeric(other[key]).astype("int64")
    duplicated = other.duplicated(keys, keep=False)
    if duplicated.any():
        first = other.loc[duplicated, keys].iloc[0].tolist()
        raise DataError(f"{name}: two rows for {dict(zip(keys, first, strict=True))}")
    clash = [c for c in other.columns if c in dat.columns and c not in keys]
    if clash:
        raise DataError(f"{name}: column(s) {', '.join(clash)} already in the table")
    merged = dat.merge(other, on=keys, how="left", validate="one_to_one", indicator=True)
    if ledger is not None:
        found = other.merge(dat[keys], on=keys, how="left", indicator="_found")
        missed = found.loc[found["_found"] == "left_only", keys]
        ledger[name] = {
            "rows": total, "matched": int((merged["_merge"] == "both").sum()),
            "without_key": total - len(other), "unmatched": len(missed),
            "unmatched_examples": [" ".join(map(str, k)) for k in missed.head(5).to_numpy()],
        }  # fmt: skip
    return merged.drop(columns="_merge")


def fill_forward(dat: pd.DataFrame, column: str) -> pd.Series:
    """Carry the last known value forward within each country, in year order."""
    ordered = dat.sort_values(["ccode", "year"])
    return ordered.groupby("ccode")[column].ffill().reindex(dat.index)


def fill_backward(dat: pd.DataFrame, column: str) -> pd.Series:
    """Carry the next known value backward within each country, in year order."""
    ordered = dat.sort_values(["ccode", "year"])
    return ordered.groupby("ccode")[column].bfill().reindex(dat.index)


def shift_within(dat: pd.DataFrame, column: str, periods: int) -> pd.Series:
    """The value ``periods`` rows earlier (negative: later) within each country, in year order."""
    ordered = dat.sort_values(["ccode", "year"])
    return ordered.groupby("ccode")[column].shift(periods).reindex(dat.index)


def log2(values: pd.Series) -> pd.Series:
    """Base-2 logarithm; zero gives minus infinity (as in R), without a warning."""
    with np.errstate(divide="ignore"):
        return pd.Series(np.log2(values), index=values.index, name=values.name)
