"""The shipped history is the walk-forward backtest; precomputed files are what pages use."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from vigil.risk import metrics
from vigil.risk.history import (
    HISTORY_FILE,
    INTERVAL_FILE,
    META_FILE,
    history_backtest,
    precompute,
    reproduces,
)
from vigil.risk.models import load_summary
from vigil.risk.table import RiskTable


def test_the_models_page_plots_score_what_the_stored_summary_scores(table: RiskTable) -> None:
    scored = history_backtest(table)
    pooled = load_summary()["pooled"]
    for name, group in scored.groupby("model"):
        y, p = group["outcome"].to_numpy(), group["probability"].to_numpy()
        stored = pooled[str(name)]
        assert (len(group), int(y.sum())) == (stored["n"], stored["onsets"])
        assert metrics.roc_auc(y, p) == pytest.approx(stored["auc"], abs=2e-6)
        assert metrics.brier(y, p) == pytest.approx(stored["brier"], abs=2e-6)


def test_precompute_writes_history_intervals_and_their_stamp(
    table: RiskTable, tmp_path: Path
) -> None:
    said: list[str] = []
    precompute(table, tmp_path, ["battle"], seed=3, draws=2, progress=said.append)
    history = pd.read_csv(tmp_path / HISTORY_FILE)
    assert set(history["base_year"]) == set(range(1993, table.last_year + 1))
    intervals = pd.read_csv(tmp_path / INTERVAL_FILE)
    assert (intervals["low"] <= intervals["high"]).all() and set(intervals["draws"]) == {2}
    meta = json.loads((tmp_path / META_FILE).read_text())
    assert (meta["data_sha256"], meta["seed"]) == (table.sha256, 3)
    assert said == ["intervals battle done"]
    latest = history[history["base_year"] == table.last_year]
    assert reproduces(history, latest)
    assert not reproduces(history, latest.assign(probability=latest["probability"] + 0.01))
