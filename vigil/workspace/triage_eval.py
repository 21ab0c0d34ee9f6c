"""Evaluation of report triage on labelled passages in six languages.

Each passage carries its language, whether it bears on atrocity risk at all (``relevant``), gold
risk-factor labels (the first is the primary one; none for irrelevant passages) and the
countries it names, the one it is about first. A method ranks the 14 factors for every passage;
top-k accuracy is the share of relevant passages with at least one gold factor among the first k
(``strict top-1`` requires the primary label); country top-1 is the share of passages with a
country whose first-ranked country is the main one; relevance AUC is the chance that a relevant
passage scores above an irrelevant one.

The evaluation is honest about what each scorer has seen: the embedding scorer's exemplars are
the framework texts only; weights (lexicon share, relevance model) are chosen on the
development split only (``split: dev``, and ``triage_dev.jsonl``), and reported on the rest; when
analyst corrections are simulated, each passage is scored with corrections drawn from the
*other* folds of a k-fold split, never from its own.
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
DEV_FILE = "framework/triage_dev.jsonl"
MULTILINGUAL_FILE = "framework/triage_multilingual.jsonl"
SPLITS = ("dev", "test")
FOLDS = 5

METHODS: dict[str, dict[str, Any]] = {
    "keyword lexicon only": {"use_embeddings": False},
    "keyword lexicon + corrections (TF-IDF, 5-fold CV)": {
        "use_embeddings": False,
        "corrections": True,
    },
    "embedding only (framework exemplars)": {
        "use_embeddings": True,
        "lexicon_weight": 0.0,
        "foreign_lexicon_weight": 0.0,
    },
    "embedding + lexicon (framework exemplars)": {"use_embeddings": True},
    "embedding + lexicon + corrections (5-fold CV)": {"use_embeddings": True, "corrections": True},
}
EMBEDDING_METHODS = frozenset(name for name, opts in METHODS.items() if opts["use_embeddings"])


@dataclass(frozen=True, slots=True)
class EvalPassage:
    """One labelled passage: gold factors (primary first), the countries it names (the main one
    first), its language, whether it is relevant and which split it belongs to."""

    id: str
    text: str
    factors: tuple[str, ...]
    countries: tuple[str, ...]
    language: str = "en"
    relevant: bool = True
    split: str = "test"


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
    country_top1: float | None = None
    relevance_auc: float | None = None
    language: str = "all"


def load_eval_set(path: Path | None = None, *, split: str | None = None) -> list[EvalPassage]:
    """Read and check labelled passages (JSON Lines, one passage per line).

    With ``path``, that file only. Without it, every bundled passage of ``split``: ``test``
    (the default) is ``triage_eval.jsonl`` plus the multilingual test passages, ``dev`` is
    ``triage_dev.jsonl`` plus the multilingual development passages.
    """
    if path is not None:
        return _read(Path(path), "test")
    chosen = split or "test"
    if chosen not in SPLITS:
        raise UsageError(f"unknown split {chosen!r}: expected one of {SPLITS}")
    english = _read(bundled(EVAL_FILE if chosen == "test" else DEV_FILE), chosen)
    others = _read(bundled(MULTILINGUAL_FILE), "test")
    return english + [p for p in others if p.split == chosen]


def _read(path: Path, default_split: str) -> list[EvalPassage]:
    where = str(path)
    known = set(load_framework().factor_ids)
    passages: list[EvalPassage] = []
    for row, line in enumerate(Path(where).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            passages.append(_passage(line, row, where, known, default_split))
    return passages


def _passage(line: str, row: int, where: str, known: set[str], default_split: str) -> EvalPassage:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as err:
        raise DataError(f"not valid JSON: {err.msg}", path=where, row=row) from err
    factors = tuple(item.get("factors") or ())
    relevant = item.get("relevant", True)
    unknown = [f for f in factors if f not in known]
    if unknown or (not factors and relevant is not False):
        raise DataError(
            f"expected gold factors among RF1..RF14 (none only when relevant is false), "
            f"got {list(factors)}",
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
        language=str(item.get("lang", "en")),
        relevant=bool(relevant),
        split=str(item.get("split", default_split)),
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
    """For each passage, the simulated analyst corrections it may use: every relevant passage of
    the other folds with its primary label, never one from its own fold."""
    fold = fold_of(passages, folds)
    return [
        [(p.text, p.factors[0]) for j, p in enumerate(passages) if fold[j] != fold[i] and p.factors]
        for i in range(len(passages))
    ]


def country_top1(predicted: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]) -> float | None:
    """Share of passages with a gold country whose first detected country is the main one."""
    pairs = [(p, g) for p, g in zip(predicted, gold, strict=True) if g]
    if not pairs:
        return None
    return sum(bool(p) and p[0] == g[0] for p, g in pairs) / len(pairs)


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Area under the ROC curve (ties count half); None without both classes."""
    positive = [s for s, y in zip(scores, labels, strict=True) if y]
    negative = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not positive or not negative:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


@dataclass(frozen=True, slots=True)
class Scored:
    """What one method said about each passage."""

    rankings: list[tuple[str, ...]]
    countries: list[list[str]]
    relevance: list[float]


def score_passages(
    passages: Sequence[EvalPassage],
    method: str,
    *,
    folds: int = FOLDS,
    progress: Callable[[int], None] | None = None,
    **overrides: Any,
) -> Scored:
    """Run one of :data:`METHODS` (with option ``overrides``) on every passage."""
    if method not in METHODS:
        raise UsageError(f"unknown evaluation method {method!r}: expected one of {list(METHODS)}")
    options = dict(METHODS[method]) | overrides
    with_corrections = options.pop("corrections", False)
    training = training_corrections(passages, folds) if with_corrections else None
    scored = Scored([], [], [])
    for i, passage in enumerate(passages):
        corrections = training[i] if training is not None else []
        result = triage(passage.text, corrections=corrections, **options)
        scored.rankings.append(result.ranking)
        scored.countries.append([c.iso3 for c in result.countries])
        scored.relevance.append(result.relevance)
        if progress is not None:
            progress(i)
    return scored


def evaluate(
    passages: Sequence[EvalPassage],
    method: str,
    *,
    folds: int = FOLDS,
    progress: Callable[[int], None] | None = None,
) -> EvalReport:
    """Score one of :data:`METHODS` on ``passages``."""
    return summarise(
        passages, method, score_passages(passages, method, folds=folds, progress=progress)
    )


def summarise(
    passages: Sequence[EvalPassage], method: str, scored: Scored, language: str = "all"
) -> EvalReport:
    """Accuracy figures of ``scored`` (factor figures over relevant passages only)."""
    keep = [i for i, p in enumerate(passages) if p.factors]
    rankings = [scored.rankings[i] for i in keep]
    gold = [passages[i].factors for i in keep]
    golden_countries = [p.countries for p in passages]
    precision, recall = country_precision_recall(scored.countries, golden_countries)
    return EvalReport(
        method=method,
        passages=len(passages),
        top1=topk_accuracy(rankings, gold, 1),
        strict_top1=topk_accuracy(rankings, [g[:1] for g in gold], 1),
        top3=topk_accuracy(rankings, gold, 3),
        country_precision=precision,
        country_recall=recall,
        country_top1=country_top1(scored.countries, golden_countries),
        relevance_auc=roc_auc(scored.relevance, [p.relevant for p in passages]),
        language=language,
    )


def by_language(passages: Sequence[EvalPassage], method: str, scored: Scored) -> list[EvalReport]:
    """:func:`summarise` per language (in the order of first appearance), then over all."""
    languages = list(dict.fromkeys(p.language for p in passages))
    reports = []
    for language in languages:
        index = [i for i, p in enumerate(passages) if p.language == language]
        part = Scored(*([getattr(scored, f)[i] for i in index] for f in Scored.__slots__))
        reports.append(summarise([passages[i] for i in index], method, part, language))
    return [*reports, summarise(passages, method, scored)]


def compare(
    passages: Sequence[EvalPassage], methods: Sequence[str] | None = None
) -> list[EvalReport]:
    """Evaluate several methods (by default all those the installed extras allow)."""
    chosen = methods or [m for m in METHODS if embedding.available() or m not in EMBEDDING_METHODS]
    return [evaluate(passages, method) for method in chosen]


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def format_language_table(reports: Sequence[EvalReport]) -> str:
    """A Markdown table of per-language reports: factors, main country and relevance."""
    lines = [
        "| method | language | n | factor top-1 | factor top-3 | country top-1 | relevance AUC |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.method} | {r.language} | {r.passages} | {r.top1:.3f} | {r.top3:.3f} "
        f"| {_figure(r.country_top1)} | {_figure(r.relevance_auc)} |"
        for r in reports
    ]
    return "\n".join(lines)


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
