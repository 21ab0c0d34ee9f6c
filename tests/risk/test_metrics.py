"""Backtest metrics agree with values worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from vigil.risk import metrics


def predictions(probability, outcome, year=None, ccode=None, model="m") -> pd.DataFrame:
    n = len(probability)
    return pd.DataFrame({
        "ccode": ccode if ccode is not None else np.arange(n),
        "base_year": year if year is not None else [2000] * n,
        "model": model, "probability": probability, "outcome": outcome,
    })  # fmt: skip


def test_auc_counts_ties_as_half():
    # positives 0.9, 0.5; negatives 0.5, 0.1: pairs won 1 + 1 + 0.5 + 1 of 4
    y = np.array([1, 1, 0, 0])
    p = np.array([0.9, 0.5, 0.5, 0.1])
    assert metrics.roc_auc(y, p) == pytest.approx(3.5 / 4)


def test_average_precision_by_hand():
    # ranked 0.9(1) 0.8(0) 0.7(1) 0.1(0): precision 1 at recall ½, ⅔ at recall 1
    y = np.array([1, 0, 1, 0])
    p = np.array([0.9, 0.8, 0.7, 0.1])
    assert metrics.average_precision(y, p) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)


def test_brier_and_log_loss_by_hand():
    y = np.array([1.0, 0.0])
    p = np.array([0.8, 0.4])
    assert metrics.brier(y, p) == pytest.approx((0.04 + 0.16) / 2)
    assert metrics.log_loss(y, p) == pytest.approx(-(np.log(0.8) + np.log(0.6)) / 2)


@pytest.mark.parametrize("seed", range(5))
def test_auc_and_average_precision_match_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    y = (rng.random(300) < 0.1).astype(float)
    p = np.round(rng.random(300), 1)  # many ties
    assert metrics.roc_auc(y, p) == pytest.approx(roc_auc_score(y, p))
    assert metrics.average_precision(y, p) == pytest.approx(average_precision_score(y, p))


def test_top_k_recall_shares_the_last_places_among_ties():
    # k = 2: 0.9 is in; 0.5, 0.5, 0.5 share one place (⅓ each); 0.1 is out
    p = np.array([0.9, 0.5, 0.5, 0.5, 0.1])
    share = metrics.in_top_k(p, np.zeros(5), k=2)
    np.testing.assert_allclose(share, [1, 1 / 3, 1 / 3, 1 / 3, 0])
    y = np.array([0, 1, 0, 0, 1])
    assert metrics.top_k_recall(y, share) == pytest.approx((1 / 3) / 2)


def test_top_k_is_ranked_within_each_base_year():
    p = np.array([0.9, 0.1, 0.2, 0.05])
    year = np.array([2000, 2000, 2001, 2001])
    np.testing.assert_allclose(metrics.in_top_k(p, year, k=1), [1, 0, 1, 0])


def test_pooled_reports_mean_predicted_and_observed_rate():
    table = metrics.pooled(predictions([0.2, 0.4, 0.6, 0.8], [0, 0, 1, 1]))
    row = table.loc["m"]
    assert row["mean_predicted"] == pytest.approx(0.5)
    assert row["observed"] == pytest.approx(0.5)
    assert row["auc"] == 1.0
    assert (row["n"], row["onsets"]) == (4, 2)


def test_reliability_bins_average_within_each_bin():
    frame = predictions([0.001, 0.003, 0.15, 0.16], [0, 0, 1, 0])
    bins = metrics.reliability(frame).set_index("bin")
    assert bins.loc["(-0.001, 0.005]", "mean_predicted"] == pytest.approx(0.002)
    assert bins.loc["(0.1, 0.2]", "observed"] == pytest.approx(0.5)
    assert bins["n"].sum() == 4


def test_bootstrap_resamples_whole_countries_reproducibly():
    rng = np.random.default_rng(0)
    n = 400
    year, ccode = np.repeat(np.arange(2000, 2010), 40), np.tile(np.arange(40), 10)
    frame = predictions(rng.random(n), (rng.random(n) < 0.2).astype(int), year=year, ccode=ccode)
    first = metrics.bootstrap(frame, n_boot=50, seed=3)
    again = metrics.bootstrap(frame, n_boot=50, seed=3)
    pd.testing.assert_frame_equal(first, again)
    point = metrics.pooled(frame).loc["m"]
    for metric in metrics.METRICS:
        assert first.loc["m", f"{metric}_lo"] <= point[metric] <= first.loc["m", f"{metric}_hi"]


def test_comparison_table_lists_every_model_side_by_side():
    frame = pd.concat([predictions([0.1, 0.9], [0, 1], model="a"),
                       predictions([0.9, 0.1], [0, 1], model="b")])  # fmt: skip
    table = metrics.comparison(frame, n_boot=0)
    assert list(table.index) == ["a", "b"]
    assert table.loc["a", "auc"] == 1.0 and table.loc["b", "auc"] == 0.0
    text = metrics.format_table(table)
    assert text.splitlines()[1].startswith("a ") and "2 country-years, 1 onsets" in text


def test_weighted_scores_equal_scores_of_duplicated_rows():
    rng = np.random.default_rng(4)
    y = (rng.random(60) < 0.3).astype(float)
    p = np.round(rng.random(60), 1)
    share = metrics.in_top_k(p, np.zeros(60), k=10)
    counts = rng.integers(0, 3, 60)
    index = np.repeat(np.arange(60), counts)
    weighted = metrics.weighted_scores(y, p, share, counts[None, :].astype(float))
    expected = metrics._score(y[index], p[index], share[index])
    for metric, value in expected.items():
        assert weighted[metric][0] == pytest.approx(value)
