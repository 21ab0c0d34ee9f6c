"""How likely a report bears on atrocity risk at all (0–1), in any language.

Reports from conflict countries carry much that is not about atrocity risk: floods, epidemics,
market prices, sport. Three similarities, taken on the report's best-matching chunk, feed a
logistic model: to short descriptions of harm to people (``harm``), to the Framework's own
exemplars (``framework``) and to descriptions of such everyday news (``benign``). The
prototypes and the model's weights live in ``relevance.json``; the weights are fitted on the
development passages only (:func:`fit_weights`), never on the evaluation passages.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vigil.data import bundled
from vigil.errors import DataError
from vigil.workspace import embedding

RELEVANCE_FILE = "framework/relevance.json"
FEATURES = ("harm", "benign", "framework")
Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Prototypes:
    """Harm and benign prototype sentences, the model's weights and the file's hash."""

    harm: tuple[str, ...]
    benign: tuple[str, ...]
    weights: dict[str, float]
    sha256: str


def load_prototypes(path: Path | None = None) -> Prototypes:
    """The bundled prototypes (or those at ``path``), read once per path."""
    return _load(str(path or bundled(RELEVANCE_FILE)))


@cache
def _load(path: str) -> Prototypes:
    try:
        raw = Path(path).read_bytes()
        data: Any = json.loads(raw)
    except OSError as err:
        raise DataError(f"cannot read the relevance file: {err.strerror}", path=path) from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DataError(f"the relevance file is not valid JSON: {err}", path=path) from err
    weights = data.get("weights") if isinstance(data, dict) else None
    if not isinstance(weights, dict) or set(weights) != {"intercept", *FEATURES}:
        raise DataError(f"expected 'weights' for intercept and {', '.join(FEATURES)}", path=path)
    harm, benign = data.get("harm"), data.get("benign")
    if not (isinstance(harm, list) and harm and isinstance(benign, list) and benign):
        raise DataError("expected non-empty lists 'harm' and 'benign'", path=path)
    return Prototypes(
        harm=tuple(map(str, harm)),
        benign=tuple(map(str, benign)),
        weights={k: float(v) for k, v in weights.items()},
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def features(pieces: Matrix, exemplars: Matrix, prototypes: Prototypes) -> dict[str, float]:
    """The three similarities of a report (its chunks' unit vectors ``pieces``)."""
    harm = embedding.encode(list(prototypes.harm)).astype(np.float64)
    benign = embedding.encode(list(prototypes.benign)).astype(np.float64)
    return {
        "harm": _best_chunk(pieces @ harm.T),
        "benign": _best_chunk(pieces @ benign.T),
        "framework": _best_chunk(pieces @ exemplars.T),
    }


def _best_chunk(sims: Matrix) -> float:
    """Per chunk the mean of its three best matches; then the best chunk."""
    top = np.sort(sims, axis=1)[:, -3:]
    return float(top.mean(axis=1).max())


def score(values: dict[str, float], prototypes: Prototypes) -> float:
    """The logistic model's probability that the report is relevant, rounded to 3 places."""
    weights = prototypes.weights
    logit = weights["intercept"] + sum(weights[name] * values[name] for name in FEATURES)
    return round(1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, logit)))), 3)


def fit_weights(rows: Sequence[dict[str, float]], labels: Sequence[bool]) -> dict[str, float]:
    """Logistic-regression weights (classes balanced) from feature rows and relevance labels;
    call it on development passages only."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([[row[name] for name in FEATURES] for row in rows])
    model = LogisticRegression(C=10.0, class_weight="balanced", max_iter=1000).fit(
        x, np.array(labels, dtype=int)
    )
    fitted = {"intercept": round(float(model.intercept_[0]), 4)}
    fitted.update(
        {name: round(float(c), 4) for name, c in zip(FEATURES, model.coef_[0], strict=True)}
    )
    return fitted
