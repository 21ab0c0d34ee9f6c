"""Compare two country-year tables: which country-years and predictors changed, and by how much.

Used when a newer release of a source drops in: rebuild, then diff the new table against the
old one. Rows are matched on (``ccode``, ``year``); a cell counts as changed when one side is
missing and the other is not, or when the values differ by more than the tolerance.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from vigil.errors import DataError
from vigil.risk.rebuild.sources import read_bytes

KEYS = ("ccode", "year")


@dataclass(frozen=True)
class TableDiff:
    """Rows only in one table, and every changed cell of the rows in both."""

    added: pd.DataFrame
    removed: pd.DataFrame
    changes: pd.DataFrame
    compared_cells: int
    columns_only_old: tuple[str, ...]
    columns_only_new: tuple[str, ...]

    @property
    def identical(self) -> bool:
        return (self.added.empty and self.removed.empty and self.changes.empty
                and not self.columns_only_old and not self.columns_only_new)  # fmt: skip

    def by_column(self) -> pd.DataFrame:
        """Per column: how many country-years changed, the largest and mean absolute change."""
        if self.changes.empty:
            return pd.DataFrame(columns=["column", "cells", "max_abs_change", "mean_abs_change"])
        grouped = self.changes.assign(abs_change=self.changes["change"].abs()).groupby("column")
        return pd.DataFrame({
            "cells": grouped.size(),
            "max_abs_change": grouped["abs_change"].max(),
            "mean_abs_change": grouped["abs_change"].mean(),
        }).reset_index().sort_values("cells", ascending=False)  # fmt: skip

    def text(self, limit: int = 20) -> str:
        """A readable report: the summary per column, then the largest changes."""
        lines = [
            f"{self.compared_cells:,} cells compared; {len(self.changes):,} changed; "
            f"{len(self.added):,} country-years added, {len(self.removed):,} removed."
        ]
        for label, cols in (("only in old", self.columns_only_old),
                            ("only in new", self.columns_only_new)):  # fmt: skip
            if cols:
                lines.append(f"Columns {label}: {', '.join(cols)}")
        for label, rows in (("Added", self.added), ("Removed", self.removed)):
            if not rows.empty:
                shown = ", ".join(f"{r.name} {r.year}" for r in rows.head(limit).itertuples())
                lines.append(f"{label}: {shown}{' …' if len(rows) > limit else ''}")
        if not self.changes.empty:
            lines.append("\n" + self.by_column().to_string(index=False))
            top = self.changes.reindex(
                self.changes["change"].abs().sort_values(ascending=False).index
            ).head(limit)
            lines.append(f"\nLargest changes (of {len(self.changes):,}):")
            lines.append(top.to_string(index=False))
        return "\n".join(lines)


def read_table(path: str | Path) -> pd.DataFrame:
    """A country-year CSV (plain or gzip) with exact number parsing."""
    path = Path(path)
    try:
        frame = pd.read_csv(io.BytesIO(read_bytes(path)), float_precision="round_trip",
                            keep_default_na=False, na_values=["", "NA"])  # fmt: skip
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise DataError(f"not a readable CSV table: {err}", path=str(path)) from err
    missing = [k for k in KEYS if k not in frame.columns]
    if missing:
        raise DataError("missing key column", path=str(path), row=1, column=missing[0])
    if frame.duplicated(list(KEYS)).any():
        raise DataError("two rows for one country-year", path=str(path))
    return frame


def diff_tables(old: pd.DataFrame, new: pd.DataFrame, tolerance: float = 1e-9) -> TableDiff:
    """Every change from ``old`` to ``new`` beyond ``tolerance``."""
    keys = list(KEYS)
    name = "ewp_name" if "ewp_name" in new.columns else None
    merged = old.merge(new, on=keys, how="outer", suffixes=("_old", "_new"), indicator=True)

    def label(side: str) -> str:
        return f"{name}_{side}" if name else "ccode"

    added = _rows(merged[merged["_merge"] == "right_only"], label("new"))
    removed = _rows(merged[merged["_merge"] == "left_only"], label("old"))
    both = merged[merged["_merge"] == "both"]
    shared = [c for c in old.columns if c in new.columns and c not in keys and c != name]
    parts = [_changed(both, c, tolerance, label("new")) for c in shared]
    changes = pd.concat(parts).reset_index(drop=True) if parts else _no_changes()
    return TableDiff(
        added=added, removed=removed, changes=changes,
        compared_cells=len(both) * len(shared),
        columns_only_old=tuple(c for c in old.columns if c not in new.columns),
        columns_only_new=tuple(c for c in new.columns if c not in old.columns),
    )  # fmt: skip


def _rows(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    return pd.DataFrame({"name": frame[label].astype(str), "ccode": frame["ccode"],
                         "year": frame["year"]}).reset_index(drop=True)  # fmt: skip


def _no_changes() -> pd.DataFrame:
    return pd.DataFrame(columns=["country", "ccode", "year", "column", "old", "new", "change"])


def _changed(both: pd.DataFrame, column: str, tolerance: float, label: str) -> pd.DataFrame:
    old = pd.to_numeric(both[f"{column}_old"], errors="coerce")
    new = pd.to_numeric(both[f"{column}_new"], errors="coerce")
    diff = new - old
    moved = (old.isna() != new.isna()) | (diff.abs() > tolerance)
    rows = both[moved.to_numpy()]
    return pd.DataFrame({
        "country": rows[label].astype(str), "ccode": rows["ccode"], "year": rows["year"],
        "column": column, "old": old[moved], "new": new[moved],
        "change": np.where(old[moved].isna() | new[moved].isna(), np.nan, diff[moved]),
    })  # fmt: skip
