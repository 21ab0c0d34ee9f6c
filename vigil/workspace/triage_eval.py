"""Evaluation of report triage on a labelled set of short passages.

Each passage carries gold risk-factor labels (the first is the primary one) and the countries it
names. A method ranks the 14 factors for every passage; top-k accuracy is the share of passages
with at least one gold factor among the first k (``strict top-1`` requires the primary label).

The evaluation is honest about what each scorer has seen: the embedding scorer's exemplars are
the framework texts only, and when analyst corrections are simulated, each passage is scored with
corrections drawn from the *other* folds of a k-fold split, never from its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vigil.data import bundled
from vigil.errors import DataError, UsageError
from vigil.workspace import embedding
from vigil.workspace.framework import load_framework
from vigil.workspace.triage import Correction, triage

EVAL_FILE = "framework/triage_eval.jsonl"
FOLDS = 5

METHODS: dict[str, dict[str, Any]] = {
    "keyword lexicon only": {"use_embeddings": False},
    "keyword lexicon + corrections (TF-IDF, 5-fold CV)": {
        "use_embeddings": False,
        "corrections": True,
    },
    "embedding only (framework exemplars)": {"use_embeddings": True, "lexicon_weight": 0.0},
    "embedding + lexicon (framework exemplars)": {"use_embeddings": True},
    "embedding + lexicon + corrections (5-fold CV)": {"use_embeddings": True, "corrections": True},
}
EMBEDDING_METHODS = frozenset(name for name, opts in METHODS.items() if opts["use_embeddings"])


@dataclass(frozen=True, slots=True)
class EvalPassage:
    """One labelled passage: gold factors (primary first) and the countries it names."""

    id: str
    text: str
    factors: tuple[str, ...]
    countries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Accuracy of one triage method on a set of passages."""

    method: str
    passages: int
    top1: float
    strict_top1: float
    top3: float
    country_precision: float
    country_recall: float


def load_eval_set(path: Path | None = None) -> list[EvalPassage]:
    """Read and check the evaluation passages (JSON Lines, one passage per line)."""
    where = str(path or bundled(EVAL_FILE))
    known = set(load_framework().factor_ids)
    passages: list[EvalPassage] = []
    for row, line in enumerate(Path(where).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            passages.append(_passage(line, row, where, known))
    return passages


def _passage(line: str, row: int, where: str, known: set[str]) -> EvalPassage:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as err:
        raise DataError(f"not valid JSON: {err.msg}", path=where, row=row) from err
    factors = tuple(item.get("factors") or ())
    unknown = [f for f in factors if f not in known]
    if not factors or unknown:
        raise DataError(
            f"expected gold factors among RF1..RF14, got {list(factors)}",
            path=where,
            row=row,
            column="factors",
        )
    if not isinstance(item.get("text"), str) or not item["text"].strip():
        raise DataError("expected a non-empty passage text", path=where, row=row, column="text")
    return EvalPassage(
        id=str(item.get("id", row)),
        text=item["text"],
        factors=factors,
        countries=tuple(item.get("countries") or ()),
    )


def topk_accuracy(
    rankings: Sequence[Sequence[str]], gold: Sequence[Sequence[str]], k: int
) -> float:
    """Share of items whose first ``k`` ranked labels include at least one gold label."""
    if len(rankings) != len(gold):
        raise UsageError(f"got {len(rankings)} rankings for {len(gold)} gold label sets")
    if not gold:
        return 0.0
    hits = sum(
        bool(set(ranked[:k]) & set(labels)) for ranked, labels in zip(rankings, gold, strict=True)
    )
    return hits / len(gold)


def country_precision_recall(
    predicted: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]
) -> tuple[float, float]:
    """Micro-averaged precision and recall of detected countries (1.0 when nothing to find)."""
    found = sum(len(set(p) & set(g)) for p, g in zip(predicted, gold, strict=True))
    predicted_total = sum(len(set(p)) for p in predicted)
    gold_total = sum(len(set(g)) for g in gold)
    precision = found / predicted_total if predicted_total else 1.0
    recall = found / gold_total if gold_total else 1.0
    return precision, recall


def fold_of(passages: Sequence[EvalPassage], folds: int = FOLDS, seed: int = 0) -> list[int]:
    """Fold number of each passage: a seeded shuffle dealt round-robin, so folds mix factors."""
    order = np.random.default_rng(seed).permutation(len(passages))
    fold = [0] * len(passages)
    for position, index in enumerate(order):
        fold[int(index)] = position % folds
    return fold


def training_corrections(
    passages: Sequence[EvalPassage], folds: int = FOLDS
) -> list[list[Correction]]:
    """For each passage, the simulated analyst corrections it may use: every passage of the
    other folds with its primary label, never one from its own fold."""
    fold = fold_of(passages, folds)
    return [
        [(p.text, p.factors[0]) for j, p in enumerate(passages) if fold[j] != fold[i]]
        for i in range(len(passages))
    ]


def evaluate(
    passages: Sequence[EvalPassage],
    method: str,
    *,
    folds: int = FOLDS,
    progress: Callable[[int], None] | None = None,
) -> EvalReport:
    """Score one of :data:`METHODS` on ``passages``."""
    if method not in METHODS:
        raise UsageError(f"unknown evaluation method {method!r}: expected one of {list(METHODS)}")
    options = dict(METHODS[method])
    with_corrections = options.pop("corrections", False)
    training = training_corrections(passages, folds) if with_corrections else None
    rankings: list[tuple[str, ...]] = []
    countries: list[list[str]] = []
    for i, passage in enumerate(passages):
        corrections = training[i] if training is not None else []
        result = triage(passage.text, corrections=corrections, **options)
        rankings.append(result.ranking)
        countries.append([c.iso3 for c in result.countries])
        if progress is not None:
            progress(i)
    gold = [p.factors for p in passages]
    precision, recall = country_precision_recall(countries, [p.countries for p in passages])
    return EvalReport(
        method=method,
        passages=len(passages),
        top1=topk_accuracy(rankings, gold, 1),
        strict_top1=topk_accuracy(rankings, [g[:1] for g in gold], 1),
        top3=topk_accuracy(rankings, gold, 3),
        country_precision=precision,
        country_recall=recall,
    )


def compare(
    passages: Sequence[EvalPassage], methods: Sequence[str] | None = None
) -> list[EvalReport]:
    """Evaluate several methods (by default all those the installed extras allow)."""
    chosen = methods or [m for m in METHODS if embedding.available() or m not in EMBEDDING_METHODS]
    return [evaluate(passages, method) for method in chosen]


def format_table(reports: Sequence[EvalReport]) -> str:
    """A Markdown table of the reports."""
    lines = [
        "| method | n | top-1 | strict top-1 | top-3 |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.method} | {r.passages} | {r.top1:.3f} | {r.strict_top1:.3f} | {r.top3:.3f} |"
        for r in reports
    ]
    return "\n".join(lines)
