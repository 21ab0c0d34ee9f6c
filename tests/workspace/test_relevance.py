"""The relevance model: its prototypes file, the logistic score and the fit on labelled rows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from vigil.errors import DataError
from vigil.workspace.relevance import FEATURES, fit_weights, load_prototypes, score


def test_the_bundled_prototypes_carry_fitted_weights() -> None:
    prototypes = load_prototypes()
    assert len(prototypes.harm) >= 10 and len(prototypes.benign) >= 10
    assert set(prototypes.weights) == {"intercept", *FEATURES}
    assert prototypes.weights["harm"] > 0 > prototypes.weights["benign"]
    assert len(prototypes.sha256) == 64


def test_the_score_is_a_probability_that_rises_with_harm_and_falls_with_benign() -> None:
    prototypes = load_prototypes()
    base = {"harm": 0.4, "benign": 0.3, "framework": 0.3}
    middle = score(base, prototypes)
    assert 0 < middle < 1
    assert score(base | {"harm": 0.6}, prototypes) > middle
    assert score(base | {"benign": 0.5}, prototypes) < middle
    assert score({"harm": 1e6, "benign": -1e6, "framework": 1e6}, prototypes) == 1.0


def test_fitting_separates_two_clean_classes() -> None:
    rng = np.random.default_rng(0)
    rows, labels = [], []
    for relevant in (True, False) * 20:
        harm = 0.5 if relevant else 0.2
        rows.append({"harm": harm + rng.normal(0, 0.02), "benign": 0.6 - harm, "framework": 0.3})
        labels.append(relevant)
    weights = fit_weights(rows, labels)
    assert weights["harm"] > 0 and weights["benign"] < 0
    from vigil.workspace.relevance import Prototypes

    fitted = Prototypes(("h",), ("b",), weights, "x")
    scores = [score(row, fitted) for row in rows]
    assert min(s for s, y in zip(scores, labels, strict=True) if y) > max(
        s for s, y in zip(scores, labels, strict=True) if not y
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"harm": ["a"], "benign": ["b"]}), "expected 'weights'"),
        (
            json.dumps(
                {
                    "harm": [],
                    "benign": ["b"],
                    "weights": dict.fromkeys(("intercept", *FEATURES), 1.0),
                }
            ),
            "non-empty lists",
        ),
    ],
)
def test_a_bad_prototypes_file_is_a_data_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "relevance.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        load_prototypes(path)
