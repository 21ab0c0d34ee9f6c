"""Paired country-bootstrap differences between models.

Separate intervals overlap even when one model beats another in nearly every resample, because
both models' scores move together with the countries drawn. Scoring both models on the same
draws and taking the difference draw by draw gives the interval of the difference itself.
Draws resample whole countries (all their years), as :func:`vigil.risk.metrics.bootstrap` does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vigil.risk import metrics
from vigil.risk.within_year import weighted_within_year_auc

#: Metrics whose differences are reported, with their display labels and digits.
DIFFERENCES: tuple[tuple[str, str, int], ...] = (
    ("auc", "Δ AUC", 3),
    ("within_auc", "Δ within-year AUC", 3),
    ("ap", "Δ avg precision", 3),
    ("brier", "Δ Brier", 5),
    ("top30_recall", "Δ top-30 recall", 3),
)


def draw_weights(ccodes: np.ndarray, n_boot: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The countries and, per draw, how often each was drawn (draws × countries)."""
    rng = np.random.default_rng(seed)
    countries = np.unique(ccodes)
    draws = rng.integers(0, len(countries), size=(n_boot, len(countries)))
    counts = np.stack([np.bincount(d, minlength=len(countries)) for d in draws])
    return countries, counts.astype(np.float32)


def _scores(group: pd.DataFrame, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Every compared metric of one model, per draw (first entry: the full sample)."""
    y = group["outcome"].to_numpy(dtype=float)
    p = group["probability"].to_numpy(dtype=float)
    year = group["base_year"].to_numpy()
    share = metrics.in_top_k(p, year)
    out: dict[str, list[np.ndarray]] = {m: [] for m, _, _ in DIFFERENCES}
    for i in range(0, len(weights), metrics.BATCH):
        chunk = weights[i : i + metrics.BATCH]
        scores = metrics.weighted_scores(y, p, share, chunk)
        scores["within_auc"] = weighted_within_year_auc(y, p, year, chunk)
        for name in out:
            out[name].append(scores[name])
    return {name: np.concatenate(parts) for name, parts in out.items()}


def paired_differences(
    predictions: pd.DataFrame,
    reference: str,
    n_boot: int = 500,
    seed: int = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    """Each model minus ``reference``: the difference on the full sample and its interval.

    Columns ``<metric>``, ``<metric>_lo``, ``<metric>_hi`` and ``<metric>_p_better`` (share of
    draws in which the model beats the reference: higher is better, except for Brier).
    """
    countries, counts = draw_weights(predictions["ccode"].to_numpy(), n_boot, seed)
    scores = {}
    for name, group in predictions.groupby("model", sort=False):
        where = np.searchsorted(countries, group["ccode"].to_numpy())
        weights = np.vstack([np.ones((1, len(group)), np.float32), counts[:, where]])
        scores[str(name)] = _scores(group, weights)
    tail = (1 - level) / 2 * 100
    rows = {}
    for name, own in scores.items():
        if name == reference:
            continue
        row = {}
        for metric, _, _ in DIFFERENCES:
            delta = own[metric] - scores[reference][metric]
            row[metric] = float(delta[0])
            row[f"{metric}_lo"], row[f"{metric}_hi"] = np.nanpercentile(
                delta[1:], [tail, 100 - tail]
            )
            better = delta[1:] < 0 if metric == "brier" else delta[1:] > 0
            row[f"{metric}_p_better"] = float(np.mean(better))
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def format_differences(table: pd.DataFrame, reference: str) -> str:
    """The paired differences as aligned text, one line per model."""
    header = [f"model − {reference}", *[label for _, label, _ in DIFFERENCES]]
    lines = [header]
    for name, row in table.iterrows():
        cells = [str(name)]
        for metric, _, digits in DIFFERENCES:
            cells.append(f"{row[metric]:+.{digits}f} [{row[f'{metric}_lo']:+.{digits}f}, "
                         f"{row[f'{metric}_hi']:+.{digits}f}]")  # fmt: skip
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    text.append("paired 95 % intervals: both models scored on the same country resamples")
    return "\n".join(line.rstrip() for line in text)
