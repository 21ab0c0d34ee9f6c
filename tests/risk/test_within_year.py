"""Within-year AUC and paired country-bootstrap differences between models."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from vigil.risk.paired import format_differences, paired_differences
from vigil.risk.within_year import weighted_within_year_auc, within_year_auc


def _sample(seed: int = 1, years: int = 6, per_year: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    year = np.repeat(np.arange(2000, 2000 + years), per_year)
    signal = rng.normal(size=len(year))
    outcome = (signal + rng.normal(size=len(year)) > 1.6).astype(float)
    return pd.DataFrame({"ccode": np.tile(np.arange(per_year), years), "base_year": year,
                         "signal": signal, "outcome": outcome})  # fmt: skip


def test_equals_the_pair_weighted_mean_of_yearly_aucs() -> None:
    frame = _sample()
    y, p, year = frame["outcome"].to_numpy(), frame["signal"].to_numpy(), frame["base_year"]
    total = pairs = 0.0
    for _, group in frame.groupby("base_year"):
        n_pos = group["outcome"].sum()
        n_pairs = n_pos * (len(group) - n_pos)
        if n_pairs:
            total += roc_auc_score(group["outcome"], group["signal"]) * n_pairs
            pairs += n_pairs
    assert within_year_auc(y, p, year.to_numpy()) == np.float64(total / pairs)


def test_a_model_that_only_tracks_the_year_ranks_at_chance_within_years() -> None:
    """Predicting each year's onset rate scores high pooled AUC and exactly 0.5 within years."""
    year = np.repeat([1, 2, 3], 10)
    y = np.r_[np.zeros(10), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]]
    p = np.repeat([0.0, 0.1, 0.5], 10)
    assert roc_auc_score(y, p) > 0.7
    assert within_year_auc(y, p, year) == 0.5


def test_no_year_with_both_classes_gives_nan() -> None:
    assert np.isnan(within_year_auc(np.array([1.0, 0.0]), np.array([0.2, 0.1]), np.array([1, 2])))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(0, 5),
                          st.integers(0, 3)), min_size=2, max_size=30))  # fmt: skip
def test_weights_count_as_repeated_rows(rows: list[tuple[int, int, int, int]]) -> None:
    year, y, score, weight = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    weighted = weighted_within_year_auc(y, score, year, weight[None, :])[0]
    repeat = weight.astype(int)
    plain = within_year_auc(np.repeat(y, repeat), np.repeat(score, repeat), np.repeat(year, repeat))
    assert (np.isnan(weighted) and np.isnan(plain)) or np.isclose(weighted, plain)


def test_paired_differences_of_a_better_model_and_of_a_copy() -> None:
    frame = _sample(seed=3, years=10, per_year=60)
    rng = np.random.default_rng(0)
    good = frame.assign(model="good", probability=1 / (1 + np.exp(-frame["signal"])))
    noise = rng.normal(scale=2.0, size=len(frame))
    poor = frame.assign(model="poor", probability=1 / (1 + np.exp(-frame["signal"] - noise)))
    copy = good.assign(model="copy")
    predictions = pd.concat([good, poor, copy], ignore_index=True)
    table = paired_differences(predictions, "good", n_boot=200, seed=1)
    assert set(table.index) == {"poor", "copy"}
    assert (table.loc["copy", ["auc", "auc_lo", "auc_hi", "within_auc"]] == 0).all()
    poor_row = table.loc["poor"].astype(float)
    assert poor_row["within_auc_hi"] < 0 < poor_row["brier"]
    assert poor_row["within_auc_p_better"] < 0.05
    assert "Δ within-year AUC" in format_differences(table, "good")
