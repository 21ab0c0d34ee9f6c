"""Triage of a report: its language, the countries it is about, the risk factors it most likely
concerns and how relevant it is to atrocity risk at all.

Two scorers are combined. The keyword lexicon always runs. A multilingual sentence-embedding
model (:mod:`vigil.workspace.embedding`) compares the report with exemplars of each factor
written in the framework's own terms (factor descriptions and indicator texts, in English: the
model is cross-lingual). Embedding similarities are standardised across the 14 factors and the
lexicon score (scaled to the best factor) is added, so a strong keyword can lift a factor but not
swamp the semantics. The lexicon counts fully only in the languages it has terms for; in others
its weight drops to :data:`FOREIGN_LEXICON_WEIGHT`. Analyst corrections (text, factor id) act as
labelled neighbours: a report close to a corrected one inherits its label. Without the model,
corrections are matched by TF-IDF instead, and the result says that the lexicon fallback was
used (logged once per process).
"""

from __future__ import annotations

import json
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
from vigil.data import bundled
from vigil.errors import DataError, UsageError
from vigil.workspace import embedding, relevance
from vigil.workspace.framework import Framework, load_framework
from vigil.workspace.language import detect
from vigil.workspace.lexicon import Lexicon, LexiconMatch, load_lexicon, score_text
from vigil.workspace.mentions import CountryMention, find_countries, places_sha256

Backend = Literal["embedding+lexicon", "lexicon"]
Correction = tuple[str, str]

LEXICON_WEIGHT = 1.0  # lexicon share added to standardised embedding similarities
FOREIGN_LEXICON_WEIGHT = 0.0  # its share when the lexicon has no terms in the report's language
# A correction counts only when the report is at least this similar to it (cosine): analysts'
# labels then carry over to follow-ups of the same story without adding noise to unrelated
# reports. Chosen on the development passages, not on the evaluation set.
CORRECTION_THRESHOLD = 0.4
CORRECTION_WEIGHT = 6.0
EXEMPLARS_FILE = "framework/exemplars.json"
USE_REPORT_EXEMPLARS = True
BEST_SHARE = 0.5  # a factor's score: this share from its best exemplars, the rest its centroid
BEST_EXEMPLARS = 1  # how many best exemplars are averaged
CHUNK_WORDS = 80  # sentences are grouped into chunks of about this many words
FALLBACK_NOTICE = (
    "Triage used the keyword lexicon only: the embedding model is not installed or is "
    "disabled (it comes with the default install: pip install vigil)."
)
LEXICON_RELEVANCE_SCALE = 4.0  # lexicon-only relevance: 1 - exp(-total keyword score / this)
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
    """Language, countries, ranked risk factors and relevance of one text, with what produced
    them."""

    language: str
    language_confidence: float
    relevance: float
    countries: tuple[CountryMention, ...]
    factors: tuple[FactorScore, ...]
    backend: Backend
    notice: str | None
    framework_version: str
    lexicon_version: str
    model: str | None
    corrections_used: int
    lexicon_weight: float = LEXICON_WEIGHT
    relevance_features: dict[str, float] = field(default_factory=dict)
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
    title: str | None = None,
    language: str | None = None,
    corrections: Sequence[Correction] | None = None,
    use_embeddings: bool = True,
    lexicon_weight: float = LEXICON_WEIGHT,
    foreign_lexicon_weight: float = FOREIGN_LEXICON_WEIGHT,
    framework: Framework | None = None,
    lexicon: Lexicon | None = None,
    now: datetime | None = None,
) -> TriageResult:
    """Detect the language and countries of ``text`` and rank the 14 risk factors.

    ``title`` counts towards the countries a report is about; ``language`` (ISO 639-1) skips
    detection. ``corrections`` are analyst-confirmed (text, factor id) pairs used as labelled
    examples. ``use_embeddings=False`` takes the lexicon path exactly as if the model were
    absent; ``lexicon_weight`` sets how much the keyword score adds to the embedding score (0:
    none) in the lexicon's languages, ``foreign_lexicon_weight`` in the others.
    """
    framework = framework or load_framework()
    lexicon = lexicon or load_lexicon()
    examples = _checked_corrections(corrections or (), framework)
    found = detect(f"{title or ''}\n{text}") if language is None else None
    code = language or (found.code if found else "und")
    weight = lexicon_weight if code in lexicon.languages else foreign_lexicon_weight
    keyword = score_text(text, lexicon)
    lex = np.array([keyword[f].score if f in keyword else 0.0 for f in framework.factor_ids])
    if use_embeddings and embedding.available():
        scored = _score_with_embeddings(text, framework, lex, examples, weight)
    else:
        _warn_fallback_once()
        scored = _score_with_lexicon(text, framework, lex * (weight > 0), examples)
    return TriageResult(
        language=code,
        language_confidence=found.confidence if found else 1.0,
        relevance=scored.relevance,
        countries=tuple(find_countries(text, title=title)),
        factors=_ranked(framework, keyword, lex, scored, bool(examples)),
        backend=scored.backend,
        notice=FALLBACK_NOTICE if scored.backend == "lexicon" else None,
        framework_version=framework.version,
        lexicon_version=lexicon.version,
        model=embedding.model_version() if scored.embedding is not None else None,
        corrections_used=len(examples),
        lexicon_weight=weight,
        relevance_features=scored.features,
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
    relevance: float
    features: dict[str, float]


def _score_with_embeddings(
    text: str,
    framework: Framework,
    lex: Matrix,
    examples: Sequence[Correction],
    lexicon_weight: float,
) -> _Scored:
    pieces = embedding.encode(chunks(text)).astype(np.float64)
    emb, indicators, vectors = _embedding_scores(pieces, framework)
    near = _correction_scores(pieces, framework.factor_ids, examples)
    gate = np.clip((near - CORRECTION_THRESHOLD) / (1 - CORRECTION_THRESHOLD), 0, None)
    combined = _standardise(emb) + lexicon_weight * _relative(lex) + CORRECTION_WEIGHT * gate
    prototypes = relevance.load_prototypes()
    values = relevance.features(pieces, vectors, prototypes)
    return _Scored(
        "embedding+lexicon",
        combined,
        _softmax(combined),
        emb,
        near,
        indicators,
        relevance.score(values, prototypes),
        {k: round(v, 4) for k, v in values.items()},
    )


def _score_with_lexicon(
    text: str, framework: Framework, lex: Matrix, examples: Sequence[Correction]
) -> _Scored:
    near = _tfidf_scores(text, framework.factor_ids, examples)
    combined = _relative(lex) + near
    shares = combined / combined.sum() if combined.sum() > 0 else combined
    likely = round(1.0 - float(np.exp(-lex.sum() / LEXICON_RELEVANCE_SCALE)), 3)
    return _Scored("lexicon", combined, shares, None, near, {}, likely, {"lexicon": lex.sum()})


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


def _embedding_scores(
    pieces: Matrix, framework: Framework
) -> tuple[Matrix, dict[str, str], Matrix]:
    """Per factor: how similar the text (its chunks' vectors) is to the factor, and the indicator
    it is closest to; with the exemplar vectors.

    A chunk's similarity to a factor averages its best exemplar (one indicator can match
    sharply) and the factor's centroid (the factor as a whole); the text's score averages its
    best chunk and all chunks. Chosen on the development passages.
    """
    exemplar_texts, exemplar_factor, exemplar_indicator = _exemplars(framework)
    vectors = embedding.encode(exemplar_texts).astype(np.float64)
    sims = pieces @ vectors.T
    columns = []
    for k in range(len(framework.factors)):
        centroid = vectors[exemplar_factor == k].mean(axis=0)
        centroid /= np.linalg.norm(centroid)
        own = np.sort(sims[:, exemplar_factor == k], axis=1)[:, -BEST_EXEMPLARS:].mean(axis=1)
        columns.append(BEST_SHARE * own + (1 - BEST_SHARE) * pieces @ centroid)
    per_chunk = np.stack(columns, axis=1)
    scores = 0.5 * per_chunk.max(axis=0) + 0.5 * per_chunk.mean(axis=0)
    mean_sims = sims.mean(axis=0)
    indicators: dict[str, str] = {}
    for k, factor in enumerate(framework.factors):
        candidates = np.flatnonzero((exemplar_factor == k) & (exemplar_indicator != ""))
        if candidates.size:
            best = candidates[mean_sims[candidates].argmax()]
            indicators[factor.id] = str(exemplar_indicator[best])
    return scores, indicators, vectors


def _correction_scores(
    pieces: Matrix, ids: Sequence[str], examples: Sequence[Correction]
) -> Matrix:
    """Per factor: the highest cosine similarity between the text (its chunks' vectors) and that
    factor's corrections (0 for factors without corrections)."""
    scores = np.zeros(len(ids))
    if not examples:
        return scores
    others = embedding.encode([t for t, _ in examples]).astype(np.float64)
    best = (pieces @ others.T).max(axis=0)
    for (_, factor_id), sim in zip(examples, best, strict=True):
        k = ids.index(factor_id)
        scores[k] = max(scores[k], float(sim))
    return scores


@cache
def _exemplars(
    framework: Framework,
) -> tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.str_]]:
    """Exemplar texts: each factor's title with its description, each indicator text and the
    factor's report-style sentences (``exemplars.json``); with their factor positions and
    indicator ids ('' for all but indicators)."""
    texts: list[str] = []
    factor_index: list[int] = []
    indicator_ids: list[str] = []
    written = report_exemplars() if USE_REPORT_EXEMPLARS else {}
    for k, factor in enumerate(framework.factors):
        own = [(f"{factor.title}. {factor.description}", "")]
        own += [(indicator.text, indicator.id) for indicator in factor.indicators]
        own += [(sentence, "") for sentence in written.get(factor.id, ())]
        for text, indicator_id in own:
            texts.append(text)
            factor_index.append(k)
            indicator_ids.append(indicator_id)
    return texts, np.array(factor_index), np.array(indicator_ids)


@cache
def report_exemplars() -> dict[str, tuple[str, ...]]:
    """Report-style sentences per factor id, from the bundled ``exemplars.json``."""
    where = bundled(EXEMPLARS_FILE)
    try:
        data: Any = json.loads(where.read_text(encoding="utf-8"))
        factors = data["factors"]
        return {str(k): tuple(map(str, v)) for k, v in factors.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise DataError(f"cannot read the factor exemplars: {err}", path=str(where)) from err


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
        "relevance_sha256": relevance.load_prototypes().sha256,
        "created_at": (now or datetime.now(UTC)).isoformat(),
    }
