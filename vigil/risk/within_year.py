"""Within-year AUC: how well a model ranks the countries of the same base year.

A yearly watchlist compares countries of one year with each other, never a country in 1995 with
one in 2015. Pooled AUC mixes both comparisons, so a model that merely tracks the world's
overall level of risk from year to year scores well on it. Within-year AUC counts only the
onset/non-onset pairs of the same base year: the share of those pairs the model orders
correctly (ties count one half). It equals the per-year AUCs averaged with each year weighted by
its number of pairs; years without an onset contribute no pairs.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def within_year_auc(y: Array, p: Array, year: Array) -> float:
    """Share of same-year (onset, non-onset) pairs ranked correctly; NaN without any pair."""
    weights = np.ones((1, len(y)))
    return float(weighted_within_year_auc(y, p, year, weights)[0])


def weighted_within_year_auc(y: Array, p: Array, year: Array, w: Array) -> Array:
    """Within-year AUC for each row of weights ``w`` (draws × rows), as if rows were repeated.

    A row of weight k counts as k copies of that country-year, which is how a bootstrap draw
    that picks a country k times scores it.
    """
    concordant = np.zeros(len(w))
    pairs = np.zeros(len(w))
    for t in np.unique(year):
        rows = np.flatnonzero(year == t)
        good, total = _year_pairs(y[rows], p[rows], w[:, rows])
        concordant += good
        pairs += total
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pairs > 0, concordant / pairs, np.nan)


def _year_pairs(y: Array, p: Array, w: Array) -> tuple[Array, Array]:
    """Weighted correctly ordered pairs (ties one half) and all pairs, of one year."""
    order = np.argsort(-p, kind="mergesort")
    y, p, w = y[order], p[order], w[:, order]
    starts = np.r_[0, np.flatnonzero(np.diff(p) != 0) + 1]  # groups of tied scores
    positive = np.add.reduceat(w * y, starts, axis=1)
    negative = np.add.reduceat(w * (1 - y), starts, axis=1)
    negatives_below = negative.sum(axis=1)[:, None] - np.cumsum(negative, axis=1)
    good = (positive * (negatives_below + negative / 2)).sum(axis=1)
    return good, positive.sum(axis=1) * negative.sum(axis=1)
