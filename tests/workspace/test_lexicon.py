"""The triage keyword lexicon: coverage of every factor, word-ending wildcards and validation."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from vigil.errors import DataError
from vigil.workspace.framework import load_framework
from vigil.workspace.lexicon import load_lexicon, score_text


def _lexicon(tmp_path: Path, factors: object) -> Path:
    path = tmp_path / "lexicon.json"
    path.write_text(json.dumps({"version": "t", "factors": factors}), encoding="utf-8")
    return path


def test_bundled_lexicon_covers_every_factor() -> None:
    lexicon = load_lexicon()
    assert set(lexicon.terms) == set(load_framework().factor_ids)
    assert all(len(terms) >= 20 for terms in lexicon.terms.values())


def test_wildcard_matches_word_endings_only(tmp_path: Path) -> None:
    lexicon = load_lexicon(_lexicon(tmp_path, {"RF7": {"displac*": 1, "camp": 1}}))
    scores = score_text("Displaced families; displacement grows; campaign starts.", lexicon)
    assert scores["RF7"].terms == ("displac*",)
    assert scores["RF7"].score == pytest.approx(1 + math.log(2))


def test_phrases_match_across_line_breaks_and_case(tmp_path: Path) -> None:
    lexicon = load_lexicon(_lexicon(tmp_path, {"RF8": {"state of emergency": 2}}))
    assert score_text("A STATE OF\nemergency was declared.", lexicon)["RF8"].score == 2.0


def test_several_terms_outweigh_one_repeated_term(tmp_path: Path) -> None:
    lexicon = load_lexicon(_lexicon(tmp_path, {"RF1": {"war": 1, "clash*": 1}, "RF2": {"x": 1}}))
    assert score_text("war, war", lexicon)["RF1"].score < 2.0
    assert score_text("war and clashes", lexicon)["RF1"].score == 2.0
    assert score_text("war and clashes", lexicon)["RF2"].score == 0.0


@pytest.mark.parametrize(
    ("factors", "message"),
    [
        ({}, "expected an object 'factors'"),
        ({"RF99": {"a": 1}}, "RF1..RF14"),
        ({"RF1": {"war": 0}}, "positive weight"),
        ({"RF1": {"war": "high"}}, "positive weight"),
        ({"RF1": {"*": 1}}, "non-empty term"),
        ({"RF1": []}, "term -> weight"),
    ],
)
def test_malformed_lexicon_is_refused(tmp_path: Path, factors: object, message: str) -> None:
    with pytest.raises(DataError, match=message):
        load_lexicon(_lexicon(tmp_path, factors))
