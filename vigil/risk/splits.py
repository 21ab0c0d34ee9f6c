"""Walk-forward splits by calendar year: the one splitter of the backtest and the inner folds.

Like scikit-learn's ``TimeSeriesSplit`` but by calendar year: each test block is ``block``
consecutive years, and its training rows are those at least ``gap`` years before the block's
first year. The gap of two years keeps every training label (an onset in t' + 1 or t' + 2)
observed by the base year t, as in a real forecast. The time column is named, not assumed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

TIME_COLUMN = "year"


@dataclass(frozen=True)
class WalkForwardSplit:
    """Train on year ≤ t − gap, test on years t … t + block − 1, for blocks from start to end.

    ``split(X)`` reads ``X[time_column]`` and yields positional ``(train, test)`` index
    arrays, skipping blocks with no rows in ``X``.
    """

    start: int = 1993
    end: int = 2022
    gap: int = 2
    block: int = 1
    time_column: str = TIME_COLUMN

    def blocks(self) -> list[tuple[int, int]]:
        """First and last year of every test block."""
        return [(t, min(t + self.block - 1, self.end))
                for t in range(self.start, self.end + 1, self.block)]  # fmt: skip

    def base_years(self, X: pd.DataFrame) -> list[int]:
        """First years of the blocks with rows in ``X``."""
        present = set(X[self.time_column].astype(int))
        return [low for low, high in self.blocks() if present & set(range(low, high + 1))]

    def get_n_splits(
        self, X: pd.DataFrame | None = None, y: object = None, groups: object = None
    ) -> int:
        if X is None:
            return len(self.blocks())
        return len(self.base_years(X))

    def split(
        self, X: pd.DataFrame, y: object = None, groups: object = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        yield from self.split_years(X[self.time_column].to_numpy())

    def split_years(self, years: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The splits of rows whose years are ``years``."""
        for low, high in self.blocks():
            test = np.flatnonzero((years >= low) & (years <= high))
            if len(test):
                yield np.flatnonzero(years <= low - self.gap), test


def forward_folds(
    years: np.ndarray, n_folds: int = 3, block: int = 5, gap: int = 2
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Walk-forward inner folds: validate on the last ``n_folds`` blocks of ``block`` years,
    each fitted on the years ending ``gap`` years before its block (as a real forecast is)."""
    last = int(years.max())
    splitter = WalkForwardSplit(start=last - n_folds * block + 1, end=last, gap=gap, block=block)
    return list(splitter.split_years(years))
