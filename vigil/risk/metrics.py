"""Scores of walk-forward forecasts: discrimination, calibration, top-k recall, bootstrap intervals.

Every function takes a predictions frame with the backtest's columns
(``ccode``, ``base_year``, ``model``, ``probability``, ``outcome``). Intervals
resample whole countries (with all their years), because a country's
forecasts are correlated from one year to the next.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from vigil.risk.within_year import weighted_within_year_auc, within_year_auc

Array = np.ndarray

#: Size of the watchlist whose recall is scored.
TOP_K = 30
#: Upper edges of the reliability bins (probabilities).
BIN_EDGES: tuple[float, ...] = (0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 1.0)
#: Bootstrap draws scored at once (bounds the memory of the weight matrices).
BATCH = 50
#: Metrics with bootstrap intervals, in display order.
METRICS = ("auc", "ap", "brier", "log_loss", "top30_recall")


def roc_auc(y: Array, p: Array) -> float:
    """Area under the ROC curve (ties count one half); NaN without both classes."""
    if len(np.unique(y)) < 2:
        return float("nan")
    return float(skm.roc_auc_score(y, p))


def average_precision(y: Array, p: Array) -> float:
    """Average precision as scikit-learn defines it (tied scores form one threshold)."""
    if not np.any(y == 1):
        return float("nan")
    return float(skm.average_precision_score(y, p))


def brier(y: Array, p: Array) -> float:
    """Mean squared error of the probabilities."""
    return float(skm.brier_score_loss(y, p, pos_label=1))


def log_loss(y: Array, p: Array) -> float:
    """Mean negative log-likelihood (probabilities clipped to [1e-15, 1 − 1e-15])."""
    return float(skm.log_loss(y, np.clip(p, 1e-15, 1 - 1e-15), labels=[0, 1]))


def in_top_k(probability: Array, year: Array, k: int = TOP_K) -> Array:
    """Chance that each row is in its year's top k, ties broken at random.

    A row strictly inside the top k scores 1; rows tied at the cut-off share the
    remaining places, so a baseline with many tied zeros gets no lucky ordering.
    """
    share = np.zeros(len(probability))
    for t in np.unique(year):
        rows = np.flatnonzero(year == t)
        p = probability[rows]
        above = (p[None, :] > p[:, None]).sum(axis=1)
        tied = (p[None, :] == p[:, None]).sum(axis=1)
        share[rows] = np.clip(k - above, 0, tied) / tied
    return share


def top_k_recall(y: Array, share: Array) -> float:
    """Share of onsets whose country was in the top k at the base year."""
    total = y.sum()
    return float((y * share).sum() / total) if total else float("nan")


def _score(y: Array, p: Array, share: Array) -> dict[str, float]:
    return {
        "auc": roc_auc(y, p),
        "ap": average_precision(y, p),
        "brier": brier(y, p),
        "log_loss": log_loss(y, p),
        "top30_recall": top_k_recall(y, share),
    }


def _arrays(group: pd.DataFrame) -> tuple[Array, Array, Array]:
    y = group["outcome"].to_numpy(dtype=float)
    p = group["probability"].to_numpy(dtype=float)
    return y, p, in_top_k(p, group["base_year"].to_numpy())


def pooled(predictions: pd.DataFrame) -> pd.DataFrame:
    """One row per model: pooled metrics, mean predicted probability and observed rate."""
    rows = {}
    for name, group in predictions.groupby("model", sort=False):
        y, p, share = _arrays(group)
        rows[name] = {
            **_score(y, p, share),
            "within_auc": within_year_auc(y, p, group["base_year"].to_numpy()),
            "mean_predicted": float(p.mean()),
            "observed": float(y.mean()),
            "n": len(y),
            "onsets": int(y.sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def per_year(predictions: pd.DataFrame) -> pd.DataFrame:
    """One row per model and base year: the metrics of that year's forecasts alone."""
    rows = []
    for (name, year), group in predictions.groupby(["model", "base_year"], sort=False):
        y, p, share = _arrays(group)
        rows.append(
            {"model": name, "base_year": year, **_score(y, p, share), "onsets": int(y.sum())}
        )
    return pd.DataFrame(rows)


def reliability(predictions: pd.DataFrame, edges: tuple[float, ...] = BIN_EDGES) -> pd.DataFrame:
    """Mean predicted against observed onset rate in probability bins, per model."""
    bins = pd.cut(predictions["probability"], list(edges), include_lowest=True)
    grouped = predictions.assign(bin=bins).groupby(["model", "bin"], sort=False, observed=True)
    table = grouped.agg(
        mean_predicted=("probability", "mean"), observed=("outcome", "mean"), n=("outcome", "size")
    )
    return table.reset_index().assign(bin=lambda f: f["bin"].astype(str))


def bootstrap(
    predictions: pd.DataFrame, n_boot: int = 500, seed: int = 0, level: float = 0.95
) -> pd.DataFrame:
    """Percentile intervals of each metric, resampling whole countries with replacement.

    A draw gives each country a multiplicity (how often it was drawn); every metric is
    computed with those row weights, which equals scoring the duplicated rows. Every model
    is scored on the same draws, so intervals are comparable.
    """
    rng = np.random.default_rng(seed)
    countries = np.unique(predictions["ccode"])
    draws = rng.integers(0, len(countries), size=(n_boot, len(countries)))
    counts = np.stack([np.bincount(d, minlength=len(countries)) for d in draws]).astype(np.float32)
    rows = {}
    for name, group in predictions.groupby("model", sort=False):
        where = np.searchsorted(countries, group["ccode"].to_numpy())
        rows[name] = _intervals(group, counts[:, where], level)
    return pd.DataFrame.from_dict(rows, orient="index")


def weighted_scores(y: Array, p: Array, share: Array, w: Array) -> dict[str, Array]:
    """Every metric for each row of weights ``w`` (draws × rows) at once."""
    order = np.argsort(-p, kind="mergesort")
    y, p, share, w = y[order], p[order], share[order], w[:, order]
    starts = np.r_[0, np.flatnonzero(np.diff(p) != 0) + 1]  # groups of tied scores
    positive = np.add.reduceat(w * y, starts, axis=1)
    negative = np.add.reduceat(w * (1 - y), starts, axis=1)
    total_pos, total_neg = positive.sum(axis=1), negative.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        negatives_below = total_neg[:, None] - np.cumsum(negative, axis=1)
        auc = (positive * (negatives_below + negative / 2)).sum(axis=1) / (total_pos * total_neg)
        tp, fp = np.cumsum(positive, axis=1), np.cumsum(negative, axis=1)
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        ap = (positive * precision).sum(axis=1) / total_pos
        weight = w.sum(axis=1)
        q = np.clip(p, 1e-15, 1 - 1e-15)
        loss = -(y * np.log(q) + (1 - y) * np.log(1 - q))
        return {
            "auc": auc,
            "ap": ap,
            "brier": (w * (p - y) ** 2).sum(axis=1) / weight,
            "log_loss": (w * loss).sum(axis=1) / weight,
            "top30_recall": (w * y * share).sum(axis=1) / total_pos,
        }


def _intervals(group: pd.DataFrame, weights: Array, level: float) -> dict[str, float]:
    y, p, share = _arrays(group)
    chunks = [
        weighted_scores(y, p, share, weights[i : i + BATCH]) for i in range(0, len(weights), BATCH)
    ]
    tail = (1 - level) / 2 * 100
    out = {}
    for metric in METRICS:
        values = np.concatenate([chunk[metric] for chunk in chunks])
        out[f"{metric}_lo"], out[f"{metric}_hi"] = np.nanpercentile(values, [tail, 100 - tail])
    year = group["base_year"].to_numpy()
    within = [weighted_within_year_auc(y, p, year, weights[i : i + BATCH])
              for i in range(0, len(weights), BATCH)]  # fmt: skip
    out["within_auc_lo"], out["within_auc_hi"] = np.nanpercentile(
        np.concatenate(within), [tail, 100 - tail]
    )
    return out


def comparison(predictions: pd.DataFrame, n_boot: int = 500, seed: int = 0) -> pd.DataFrame:
    """Every model side by side: pooled metrics with bootstrap 95 % intervals."""
    table = pooled(predictions)
    if n_boot > 0:
        table = table.join(bootstrap(predictions, n_boot=n_boot, seed=seed))
    return table


def _cell(row: pd.Series, metric: str, digits: int) -> str:
    value = f"{row[metric]:.{digits}f}"
    if f"{metric}_lo" in row.index:
        value += f" [{row[f'{metric}_lo']:.{digits}f}–{row[f'{metric}_hi']:.{digits}f}]"
    return value


COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("AUC", "auc", 3),
    ("within-year AUC", "within_auc", 3),
    ("avg precision", "ap", 3),
    ("Brier", "brier", 4),
    ("log loss", "log_loss", 4),
    ("top-30 recall", "top30_recall", 3),
)


def format_table(table: pd.DataFrame, describe: Callable[[str], str] | None = None) -> str:
    """The comparison table as aligned plain text, one line per model."""
    header = ["model", *[label for label, _, _ in COLUMNS], "mean pred", "observed"]
    lines = [header]
    for name, row in table.iterrows():
        cells = [str(name), *[_cell(row, m, d) for _, m, d in COLUMNS]]
        cells += [f"{row['mean_predicted']:.4f}", f"{row['observed']:.4f}"]
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    first = table.iloc[0] if len(table) else None
    if first is not None:
        text.append(f"{int(first['n'])} country-years, {int(first['onsets'])} onsets; "
                    "95 % intervals resample whole countries")  # fmt: skip
    return "\n".join(line.rstrip() for line in text)
