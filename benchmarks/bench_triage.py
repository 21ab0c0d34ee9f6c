"""Triage accuracy: keyword lexicon against sentence embeddings (+ lexicon), on labelled passages.

Run:  .venv/bin/python benchmarks/bench_triage.py [--dev]

Prints a Markdown table of top-1 / strict top-1 / top-3 accuracy per method, country detection
precision and recall, and the mean time per passage once its embedding is cached (the time to
embed the passages is printed separately). The evaluation set (``triage_eval.jsonl``)
was never used to choose parameters; ``--dev`` also scores the development passages that were.
Methods with corrections use 5-fold cross-validation: a passage is scored with the other folds'
passages as analyst corrections, never with its own.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from datetime import UTC, datetime

from vigil import __version__
from vigil.data import bundled
from vigil.workspace import embedding
from vigil.workspace.triage_eval import (
    EMBEDDING_METHODS,
    EVAL_FILE,
    METHODS,
    EvalReport,
    evaluate,
    load_eval_set,
)

DEV_FILE = "framework/triage_dev.jsonl"


def _run(path: str) -> list[tuple[EvalReport, float]]:
    passages = load_eval_set(bundled(path))
    methods = [m for m in METHODS if embedding.available() or m not in EMBEDDING_METHODS]
    if embedding.available():
        embedding.load_model()  # load once, outside the timings
        started = time.perf_counter()
        embedding.encode([p.text for p in passages])
        per = 1000 * (time.perf_counter() - started) / len(passages)
        print(f"embedding the passages: {per:.1f} ms each, in one batch (not in ms/passage)\n")
    rows = []
    for method in methods:
        started = time.perf_counter()
        report = evaluate(passages, method)
        rows.append((report, 1000 * (time.perf_counter() - started) / len(passages)))
    return rows


def _table(rows: list[tuple[EvalReport, float]]) -> str:
    lines = [
        "| method | n | top-1 | strict top-1 | top-3 | country P | country R | ms/passage |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.method} | {r.passages} | {r.top1:.3f} | {r.strict_top1:.3f} | {r.top3:.3f} "
        f"| {r.country_precision:.3f} | {r.country_recall:.3f} | {ms:.1f} |"
        for r, ms in rows
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="also score the development passages")
    args = parser.parse_args()
    files = [("evaluation set", EVAL_FILE)] + ([("development set", DEV_FILE)] if args.dev else [])
    model = embedding.model_version() if embedding.available() else "not installed"
    print(f"vigil {__version__}, model {model}, {datetime.now(UTC).isoformat(timespec='seconds')}")
    for label, path in files:
        digest = hashlib.sha256(bundled(path).read_bytes()).hexdigest()[:12]
        print(f"\n### {label}: {path} (sha256 {digest})\n")
        print(_table(_run(path)))
    if not embedding.available():
        print("\nEmbedding rows skipped: install the nlp extra (pip install 'vigil[nlp]').")


if __name__ == "__main__":
    main()
