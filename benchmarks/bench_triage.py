"""Triage accuracy per language: keyword lexicon, multilingual embeddings, and both; and latency.

Run:  .venv/bin/python benchmarks/bench_triage.py [--dev] [--model use-multilingual|minilm]

Prints, for the test passages (English ``triage_eval.jsonl`` plus the test split of
``triage_multilingual.jsonl``), a Markdown table per method and language: factor top-1 and
top-3, main-country top-1 and relevance AUC; then the same figures recorded for the code before
the multilingual work (``triage_before.md``), the time to load the models and the time per report
once they are loaded. Weights were chosen on the development passages (``--dev`` scores them
too); the test passages were never used to choose them. Methods with corrections use 5-fold
cross-validation: a passage is scored with the other folds' passages as analyst corrections.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from vigil import __version__
from vigil.workspace import embedding
from vigil.workspace.triage_eval import (
    EMBEDDING_METHODS,
    METHODS,
    EvalPassage,
    by_language,
    format_language_table,
    load_eval_set,
    score_passages,
)

BEFORE = Path(__file__).with_name("triage_before.md")


def _tables(passages: list[EvalPassage]) -> str:
    available = embedding.available()
    reports = []
    for method in METHODS:
        if method in EMBEDDING_METHODS and not available:
            continue
        reports += by_language(passages, method, score_passages(passages, method))
    return format_language_table(reports)


def _latency(passages: list[EvalPassage]) -> str:
    """Load time (language detector, place names, model, exemplars), then time per report."""
    from vigil.workspace.triage import triage

    started = time.perf_counter()
    triage("Warm-up: the army shelled the town.")
    load = time.perf_counter() - started
    times: list[float] = []
    for passage in passages[:60]:
        text = " ".join([passage.text] * 20)  # about a page: 20 copies of a passage
        started = time.perf_counter()
        triage(text + f" ({len(times)})")  # a new text each time: nothing cached
        times.append(time.perf_counter() - started)
    return (
        f"first call (loads everything): {load:.2f} s; per report of about a page after that: "
        f"median {1000 * statistics.median(times):.0f} ms, max {1000 * max(times):.0f} ms "
        f"({len(times)} reports)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="also score the development passages")
    parser.add_argument(
        "--model", default=embedding.DEFAULT_MODEL, choices=sorted(embedding.MODELS)
    )
    args = parser.parse_args()
    embedding.select(args.model)
    model = embedding.model_version() if embedding.available() else "not installed"
    print(f"vigil {__version__}, model {model}, {datetime.now(UTC).isoformat(timespec='seconds')}")
    test = load_eval_set(split="test")
    print(f"\n### latency\n\n{_latency(test)}")
    print(f"\n### test passages ({len(test)})\n\n{_tables(test)}")
    if args.dev:
        dev = load_eval_set(split="dev")
        print(f"\n### development passages ({len(dev)})\n\n{_tables(dev)}")
    print(f"\n### before\n\n{BEFORE.read_text(encoding='utf-8')}")


if __name__ == "__main__":
    main()
