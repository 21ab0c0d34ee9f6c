"""Triage of a report: which countries it names and which risk factors it most likely concerns.

Two scorers are combined. The keyword lexicon always runs. When the ``nlp`` extra is installed,
a sentence-embedding model compares the report with exemplars of each factor written in the
framework's own terms (factor descriptions and indicator texts). Embedding similarities are
standardised across the 14 factors and the lexicon score (scaled to the best factor) is added,
so a strong keyword can lift a factor but not swamp the semantics. Analyst corrections (text,
factor id) act as labelled neighbours: a report close to a corrected one inherits its label.
Without the extra, corrections are matched by TF-IDF instead, and the result says that the
lexicon fallback was used (logged once per process).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from vigil import __version__
from vigil.errors import UsageError
from vigil.workspace import embedding
from vigil.workspace.framework import Framework, load_framework
from vigil.workspace.lexicon import Lexicon, LexiconMatch, load_lexicon, score_text
from vigil.workspace.mentions import CountryMention, find_countries, places_sha256

Backend = Literal["embedding+lexicon", "lexicon"]
Correction = tuple[str, str]

LEXICON_WEIGHT = 1.0  # lexicon share added to standardised embedding similarities
# A correction counts only when the report is at least this similar to it (cosine): analysts'
# labels then carry over to follow-ups of the same story without adding noise to unrelated
# reports. Chosen on the development passages, not on the evaluation set.
CORRECTION_THRESHOLD = 0.5
CORRECTION_WEIGHT = 6.0
CHUNK_WORDS = 80  # sentences are grouped into chunks of about this many words
FALLBACK_NOTICE = (
    "Triage used the keyword lexicon only: the embedding model is not installed or is "
    "disabled (install it with pip install 'vigil[nlp]')."
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_log = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FactorScore:
    """How strongly a report points to one risk factor, and why."""

    factor_id: str
    title: str
    score: float
    lexicon: float
    embedding: float | None
    correction: float | None
    terms: tuple[str, ...]
    indicator_id: str | None


@dataclass(frozen=True, slots=True)
class TriageResult:
    """Countries and ranked risk factors for one text, with what produced them."""

    countries: tuple[CountryMention, ...]
    factors: tuple[FactorScore, ...]
    backend: Backend
    notice: str | None
    framework_version: str
    lexicon_version: str
    model: str | None
    corrections_used: int
    provenance: dict[str, str] = field(default_factory=dict)

    def top(self, n: int = 3) -> tuple[FactorScore, ...]:
        """The ``n`` highest-ranked factors."""
        return self.factors[:n]

    @property
    def ranking(self) -> tuple[str, ...]:
        """Factor ids from most to least likely."""
        return tuple(score.factor_id for score in self.factors)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (tuples become lists)."""
        return asdict(self)


def triage(
    text: str,
    *,
    corrections: Sequence[Correction] | None = None,
    use_embeddings: bool = True,
    lexicon_weight: float = LEXICON_WEIGHT,
    framework: Framework | None = None,
    lexicon: Lexicon | None = None,
    now: datetime | None = None,
) -> TriageResult:
    """Detect countries and rank the 14 risk factors for ``text``.

    ``corrections`` are analyst-confirmed (text, factor id) pairs used as labelled examples.
    ``use_embeddings=False`` takes the lexicon path exactly as if the ``nlp`` extra were absent;
    ``lexicon_weight`` sets how much the keyword score adds to the embedding score (0: none).
    """
    framework = framework or load_framework()
    lexicon = lexicon or load_lexicon()
    examples = _checked_corrections(corrections or (), framework)
    keyword = score_text(text, lexicon)
    lex = np.array([keyword[f].score if f in keyword else 0.0 for f in framework.factor_ids])
    if use_embeddings and embedding.available():
        scored = _score_with_embeddings(text, framework, lex, examples, lexicon_weight)
    else:
        _warn_fallback_once()
        scored = _score_with_lexicon(text, framework, lex, examples)
    return TriageResult(
        countries=tuple(find_countries(text)),
        factors=_ranked(framework, keyword, lex, scored, bool(examples)),
        backend=scored.backend,
        notice=FALLBACK_NOTICE if scored.backend == "lexicon" else None,
        framework_version=framework.version,
        lexicon_version=lexicon.version,
        model=embedding.model_version() if scored.embedding is not None else None,
        corrections_used=len(examples),
        provenance=_provenance(framework, lexicon, now),
    )


@dataclass(frozen=True, slots=True)
class _Scored:
    """Per-factor arrays (framework order) from one scoring path."""

    backend: Backend
    combined: Matrix
    shares: Matrix
    embedding: Matrix | None
    near: Matrix
    indicators: dict[str, str]


def _score_with_embeddings(
    text: str,
    framework: Framework,
    lex: Matrix,
    examples: Sequence[Correction],
    lexicon_weight: float,
) -> _Scored:
    emb, indicators = _embedding_scores(text, framework)
    near = _correction_scores(text, framework.factor_ids, examples)
    gate = np.clip((near - CORRECTION_THRESHOLD) / (1 - CORRECTION_THRESHOLD), 0, None)
    combined = _standardise(emb) + lexicon_weight * _relative(lex) + CORRECTION_WEIGHT * gate
    return _Scored("embedding+lexicon", combined, _softmax(combined), emb, near, indicators)


def _score_with_lexicon(
    text: str, framework: Framework, lex: Matrix, examples: Sequence[Correction]
) -> _Scored:
    near = _tfidf_scores(text, framework.factor_ids, examples)
    combined = _relative(lex) + near
    shares = combined / combined.sum() if combined.sum() > 0 else combined
    return _Scored("lexicon", combined, shares, None, near, {})


def _ranked(
    framework: Framework,
    keyword: dict[str, LexiconMatch],
    lex: Matrix,
    scored: _Scored,
    with_corrections: bool,
) -> tuple[FactorScore, ...]:
    """Factor scores from most to least likely (ties keep framework order)."""
    order = sorted(range(len(framework.factors)), key=lambda i: -scored.combined[i])
    emb = scored.embedding
    return tuple(
        FactorScore(
            factor_id=framework.factors[i].id,
            title=framework.factors[i].title,
            score=round(float(scored.shares[i]), 4),
            lexicon=round(float(lex[i]), 3),
            embedding=None if emb is None else round(float(emb[i]), 4),
            correction=round(float(scored.near[i]), 4) if with_corrections else None,
            terms=keyword.get(framework.factors[i].id, LexiconMatch(0.0, ())).terms,
            indicator_id=scored.indicators.get(framework.factors[i].id),
        )
        for i in order
    )


def _checked_corrections(
    corrections: Sequence[Correction], framework: Framework
) -> list[Correction]:
    known = set(framework.factor_ids)
    checked: list[Correction] = []
    for row, (text, factor_id) in enumerate(corrections, 1):
        if factor_id not in known:
            raise UsageError(
                f"correction {row} names risk factor {factor_id!r}: expected one of RF1..RF14"
            )
        if text.strip():
            checked.append((text, factor_id))
    return checked


def chunks(text: str, words: int = CHUNK_WORDS) -> list[str]:
    """The text cut at sentence ends into pieces of roughly ``words`` words (at least one)."""
    pieces: list[str] = []
    current: list[str] = []
    for sentence in _SENTENCE_END.split(" ".join(text.split())):
        current.append(sentence)
        if sum(len(s.split()) for s in current) >= words:
            pieces.append(" ".join(current))
            current = []
    if current or not pieces:
        pieces.append(" ".join(current))
    return pieces


def _embedding_scores(text: str, framework: Framework) -> tuple[Matrix, dict[str, str]]:
    """Per factor: how similar the text is to the factor, and the indicator it is closest to.

    A chunk's similarity to a factor averages its best exemplar (one indicator can match
    sharply) and the factor's centroid (the factor as a whole); the text's score averages its
    best chunk and all chunks. Chosen on the development passages.
    """
    exemplar_texts, exemplar_factor, exemplar_indicator = _exemplars(framework)
    vectors = embedding.encode(exemplar_texts).astype(np.float64)
    pieces = embedding.encode(chunks(text)).astype(np.float64)
    sims = pieces @ vectors.T
    columns = []
    for k in range(len(framework.factors)):
        centroid = vectors[exemplar_factor == k].mean(axis=0)
        centroid /= np.linalg.norm(centroid)
        columns.append(0.5 * sims[:, exemplar_factor == k].max(axis=1) + 0.5 * pieces @ centroid)
    per_chunk = np.stack(columns, axis=1)
    scores = 0.5 * per_chunk.max(axis=0) + 0.5 * per_chunk.mean(axis=0)
    mean_sims = sims.mean(axis=0)
    indicators: dict[str, str] = {}
    for k, factor in enumerate(framework.factors):
        candidates = np.flatnonzero((exemplar_factor == k) & (exemplar_indicator != ""))
        if candidates.size:
            best = candidates[mean_sims[candidates].argmax()]
            indicators[factor.id] = str(exemplar_indicator[best])
    return scores, indicators


def _correction_scores(text: str, ids: Sequence[str], examples: Sequence[Correction]) -> Matrix:
    """Per factor: the highest cosine similarity between the text and that factor's corrections
    (0 for factors without corrections)."""
    scores = np.zeros(len(ids))
    if not examples:
        return scores
    best = _chunk_similarities(text, [t for t, _ in examples]).max(axis=0)
    for (_, factor_id), sim in zip(examples, best, strict=True):
        k = ids.index(factor_id)
        scores[k] = max(scores[k], float(sim))
    return scores


def _chunk_similarities(text: str, others: Sequence[str]) -> Matrix:
    """Cosine similarities, one row per chunk of ``text``, one column per text of ``others``."""
    pieces = embedding.encode(chunks(text)).astype(np.float64)
    return pieces @ embedding.encode(others).astype(np.float64).T


@cache
def _exemplars(
    framework: Framework,
) -> tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.str_]]:
    """Exemplar texts from the framework: each factor's title with its description, and each
    indicator text; with their factor positions and indicator ids ('' for the description)."""
    texts: list[str] = []
    factor_index: list[int] = []
    indicator_ids: list[str] = []
    for k, factor in enumerate(framework.factors):
        texts.append(f"{factor.title}. {factor.description}")
        factor_index.append(k)
        indicator_ids.append("")
        for indicator in factor.indicators:
            texts.append(indicator.text)
            factor_index.append(k)
            indicator_ids.append(indicator.id)
    return texts, np.array(factor_index), np.array(indicator_ids)


def _tfidf_scores(text: str, ids: Sequence[str], examples: Sequence[Correction]) -> Matrix:
    """Per factor: the best TF-IDF cosine between the text and that factor's corrections."""
    scores = np.zeros(len(ids))
    if not examples:
        return scores
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", ngram_range=(1, 2))
    matrix = vectorizer.fit_transform([t for t, _ in examples] + [text])
    sims = (matrix[:-1] @ matrix[-1].T).toarray().ravel()
    for (_, factor_id), sim in zip(examples, sims, strict=True):
        k = ids.index(factor_id)
        scores[k] = max(scores[k], float(sim))
    return scores


def _standardise(values: Matrix) -> Matrix:
    spread = values.std()
    return (values - values.mean()) / (spread if spread > 1e-9 else 1.0)


def _relative(values: Matrix) -> Matrix:
    top = values.max()
    return values / top if top > 0 else np.zeros_like(values)


def _softmax(values: Matrix) -> Matrix:
    shifted = np.exp(values - values.max())
    return shifted / shifted.sum()


@cache
def _warn_fallback_once() -> None:
    _log.warning(FALLBACK_NOTICE)


def _provenance(framework: Framework, lexicon: Lexicon, now: datetime | None) -> dict[str, str]:
    return {
        "vigil_version": __version__,
        "framework_sha256": framework.sha256,
        "lexicon_sha256": lexicon.sha256,
        "places_sha256": places_sha256(),
        "created_at": (now or datetime.now(UTC)).isoformat(),
    }
