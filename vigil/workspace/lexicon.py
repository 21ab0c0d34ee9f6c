"""The keyword lexicon that scores how strongly a text speaks to each risk factor.

Each factor has weighted terms (``lexicon.json``); a term ending in ``*`` matches any word
ending. A factor's score is the sum over matched terms of ``weight × (1 + ln count)``, so
repeating a word helps less than using several of the factor's words. This is the triage that
always works, with or without the embedding model. ``languages`` lists the languages (ISO 639-1)
the terms are written in; triage gives the lexicon less weight for reports in other languages.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from vigil.data import bundled
from vigil.errors import DataError

LEXICON_FILE = "framework/lexicon.json"


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon entry: its spelling, weight and compiled pattern."""

    text: str
    weight: float
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Weighted terms per risk factor, with the version and hash of the file they came from."""

    version: str
    sha256: str
    terms: dict[str, tuple[Term, ...]]
    languages: frozenset[str] = frozenset({"en"})


@dataclass(frozen=True, slots=True)
class LexiconMatch:
    """A factor's keyword score and the terms that produced it."""

    score: float
    terms: tuple[str, ...]


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Load and validate the lexicon (the bundled one by default; cached per path)."""
    return _load(str(path or bundled(LEXICON_FILE)))


@cache
def _load(path: str) -> Lexicon:
    try:
        raw = Path(path).read_bytes()
        data: Any = json.loads(raw)
    except OSError as err:
        raise DataError(f"cannot read the lexicon: {err.strerror}", path=path) from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DataError(f"the lexicon is not valid JSON: {err}", path=path) from err
    factors = data.get("factors") if isinstance(data, dict) else None
    if not isinstance(factors, dict) or not factors:
        raise DataError("expected an object 'factors' of factor id -> terms", path=path)
    terms = {
        factor_id: tuple(_term(text, weight, path, factor_id) for text, weight in entries.items())
        for factor_id, entries in _checked(factors, path).items()
    }
    return Lexicon(
        version=str(data.get("version", "")),
        sha256=hashlib.sha256(raw).hexdigest(),
        terms=terms,
        languages=frozenset(map(str, data.get("languages") or ["en"])),
    )


def _checked(factors: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    for factor_id, entries in factors.items():
        if not re.fullmatch(r"RF([1-9]|1[0-4])", factor_id):
            raise DataError(f"expected factor ids RF1..RF14, got {factor_id!r}", path=path)
        if not isinstance(entries, dict) or not entries:
            raise DataError(
                f"expected an object of term -> weight for {factor_id}", path=path, column=factor_id
            )
    return factors


def _term(text: str, weight: Any, path: str, factor_id: str) -> Term:
    if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
        raise DataError(
            f"expected a positive weight for {text!r}, got {weight!r}", path=path, column=factor_id
        )
    stem = text.strip().lower()
    if not stem.rstrip("*"):
        raise DataError("expected a non-empty term", path=path, column=factor_id)
    body = re.escape(stem.rstrip("*")).replace(r"\ ", r"\s+")
    tail = r"[\w-]*" if stem.endswith("*") else ""
    pattern = re.compile(rf"(?<![\w-]){body}{tail}(?![\w-])", re.IGNORECASE)
    return Term(text=stem, weight=float(weight), pattern=pattern)


def score_text(text: str, lexicon: Lexicon) -> dict[str, LexiconMatch]:
    """Keyword score of ``text`` for every factor of the lexicon (0 when no term matches)."""
    scores: dict[str, LexiconMatch] = {}
    for factor_id, terms in lexicon.terms.items():
        total, matched = 0.0, []
        for term in terms:
            count = len(term.pattern.findall(text))
            if count:
                total += term.weight * (1.0 + math.log(count))
                matched.append(term.text)
        scores[factor_id] = LexiconMatch(score=total, terms=tuple(matched))
    return scores
