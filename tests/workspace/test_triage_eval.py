"""Triage evaluation: the labelled passages, the accuracy arithmetic and honest cross-validation."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from vigil.data import bundled
from vigil.errors import DataError, UsageError
from vigil.workspace.framework import load_framework
from vigil.workspace.triage_eval import (
    METHODS,
    EvalPassage,
    Scored,
    by_language,
    country_precision_recall,
    country_top1,
    evaluate,
    fold_of,
    format_language_table,
    format_table,
    load_eval_set,
    roc_auc,
    topk_accuracy,
    training_corrections,
)


def test_topk_accuracy_on_a_hand_checked_example() -> None:
    rankings = [("RF1", "RF2", "RF3"), ("RF2", "RF1", "RF3"), ("RF5", "RF6", "RF7")]
    gold = [("RF1",), ("RF1", "RF9"), ("RF9",)]
    assert topk_accuracy(rankings, gold, 1) == pytest.approx(1 / 3)
    assert topk_accuracy(rankings, gold, 2) == pytest.approx(2 / 3)
    assert topk_accuracy(rankings, gold, 3) == pytest.approx(2 / 3)
    assert topk_accuracy([], [], 1) == 0.0


def test_topk_accuracy_refuses_mismatched_lengths() -> None:
    with pytest.raises(UsageError, match="2 rankings for 1"):
        topk_accuracy([("RF1",), ("RF2",)], [("RF1",)], 1)


def test_country_precision_and_recall_on_a_hand_checked_example() -> None:
    predicted = [["SDN", "TCD"], [], ["MMR"]]
    gold = [["SDN"], ["COD"], ["MMR"]]
    precision, recall = country_precision_recall(predicted, gold)
    assert precision == pytest.approx(2 / 3)  # TCD was not named
    assert recall == pytest.approx(2 / 3)  # COD was missed
    assert country_precision_recall([[]], [[]]) == (1.0, 1.0)


def _passages(n: int) -> list[EvalPassage]:
    ids = load_framework().factor_ids
    return [EvalPassage(f"t{i}", f"text number {i}", (ids[i % 14],), ()) for i in range(n)]


def test_folds_are_balanced_and_reproducible() -> None:
    passages = _passages(23)
    folds = fold_of(passages, folds=5)
    assert sorted(Counter(folds).values()) == [4, 4, 5, 5, 5]
    assert fold_of(passages, folds=5) == folds


def test_a_passage_is_never_scored_with_its_own_fold_as_corrections() -> None:
    passages = _passages(30)
    folds = fold_of(passages, folds=5)
    training = training_corrections(passages, folds=5)
    for i, corrections in enumerate(training):
        texts = {text for text, _ in corrections}
        own_fold = {p.text for j, p in enumerate(passages) if folds[j] == folds[i]}
        assert passages[i].text not in texts
        assert not texts & own_fold
        assert len(texts) == len(passages) - len(own_fold)


def test_evaluate_on_a_tiny_hand_checked_set() -> None:
    passages = [
        EvalPassage(
            "a",
            "Gunmen looted the WFP warehouse in Darfur and stopped the aid convoy.",
            ("RF14",),
            ("SDN",),
        ),
        EvalPassage("b", "The disputed election sparked riots.", ("RF8",), ()),
        # no keyword at all: the lexicon ranks factors in framework order, RF1 first
        EvalPassage("c", "The sky was clear over the hills.", ("RF9", "RF2"), ()),
    ]
    report = evaluate(passages, "keyword lexicon only")
    assert report.passages == 3
    assert report.top1 == pytest.approx(2 / 3)  # a and b right, c ranks RF1 first
    assert report.strict_top1 == pytest.approx(2 / 3)
    assert report.top3 == pytest.approx(1.0)  # RF2 is in c's top three (RF1, RF2, RF3)
    assert (report.country_precision, report.country_recall) == (1.0, 1.0)
    assert "| keyword lexicon only | 3 | 0.667 | 0.667 | 1.000 |" in format_table([report])


def test_unknown_method_is_refused() -> None:
    with pytest.raises(UsageError, match="unknown evaluation method"):
        evaluate(_passages(3), "magic")
    assert "keyword lexicon only" in METHODS


def test_bundled_eval_set_is_large_varied_and_covers_every_factor() -> None:
    passages = [p for p in load_eval_set() if p.language == "en" and p.factors]
    primary = Counter(p.factors[0] for p in passages)
    assert len(passages) >= 150
    assert set(primary) == set(load_framework().factor_ids)
    assert min(primary.values()) >= 8
    assert len({p.id for p in passages}) == len(passages)
    assert len({p.text for p in passages}) == len(passages)
    assert len({p.text.split()[0] for p in passages}) > 60  # not one template
    assert sum(bool(p.countries) for p in passages) >= 40


def test_development_passages_are_separate_from_the_eval_set() -> None:
    dev = load_eval_set(bundled("framework/triage_dev.jsonl"))
    assert {p.text for p in dev}.isdisjoint({p.text for p in load_eval_set()})
    assert len(dev) >= 50


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"id": "x", "text": "t", "factors": ["RF99"]}), "RF1..RF14"),
        (json.dumps({"id": "x", "text": "t", "factors": []}), "gold factors"),
        (json.dumps({"id": "x", "text": "  ", "factors": ["RF1"]}), "non-empty passage"),
    ],
)
def test_malformed_eval_file_names_the_row(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "eval.jsonl"
    good = json.dumps({"id": "ok", "text": "fine", "factors": ["RF1"]})
    path.write_text(f"{good}\n\n{line}\n", encoding="utf-8")
    with pytest.raises(DataError, match=message) as caught:
        load_eval_set(path)
    assert "row 3" in str(caught.value) and str(path) in str(caught.value)


def test_every_language_has_enough_passages_with_relevant_and_irrelevant_ones() -> None:
    everything = load_eval_set(split="dev") + load_eval_set(split="test")
    counts = Counter(p.language for p in everything)
    for language, least in {"en": 60, "fr": 60, "es": 60, "ar": 60, "ru": 30, "zh": 30}.items():
        mine = [p for p in everything if p.language == language]
        assert counts[language] >= least
        assert sum(not p.relevant for p in mine) >= 5
        assert sum(bool(p.countries) for p in mine) >= least // 2
        assert {p.split for p in mine} == {"dev", "test"}
    irrelevant = [p for p in everything if not p.relevant]
    assert all(p.countries for p in irrelevant if p.language != "en" or p.id.startswith("en"))


def test_development_and_test_splits_never_share_a_passage() -> None:
    dev, test = load_eval_set(split="dev"), load_eval_set(split="test")
    assert {p.text for p in dev}.isdisjoint({p.text for p in test})
    assert {p.split for p in dev} == {"dev"} and {p.split for p in test} == {"test"}
    with pytest.raises(UsageError, match="unknown split"):
        load_eval_set(split="train")


def test_country_top1_and_auc_on_hand_checked_examples() -> None:
    assert country_top1(
        [["SDN", "TCD"], ["TCD"], [], ["MLI"]], [["SDN"], ["SDN"], ["COD"], []]
    ) == (pytest.approx(1 / 3))
    assert country_top1([[]], [[]]) is None
    assert roc_auc([0.9, 0.8, 0.1, 0.8], [True, True, False, False]) == pytest.approx(0.875)
    assert roc_auc([0.5], [True]) is None


def test_per_language_summary_and_table() -> None:
    passages = [
        EvalPassage("a", "x", ("RF1",), ("SDN",), "fr", True),
        EvalPassage("b", "y", (), ("SDN",), "fr", False),
        EvalPassage("c", "z", ("RF2",), (), "en", True),
    ]
    scored = Scored(
        rankings=[("RF1", "RF2"), ("RF3",), ("RF1", "RF3", "RF2")],
        countries=[["SDN"], ["TCD"], []],
        relevance=[0.9, 0.2, 0.7],
    )
    fr, en, everything = by_language(passages, "m", scored)
    assert (fr.language, fr.passages, fr.top1, fr.country_top1, fr.relevance_auc) == (
        "fr",
        2,
        1.0,
        0.5,
        1.0,
    )
    assert (en.top1, en.top3, en.country_top1, en.relevance_auc) == (0.0, 1.0, None, None)
    assert everything.passages == 3 and everything.top1 == 0.5
    table = format_language_table([fr, en])
    assert "| m | fr | 2 | 1.000 | 1.000 | 0.500 | 1.000 |" in table
    assert "| m | en | 1 | 0.000 | 1.000 | – | – |" in table
