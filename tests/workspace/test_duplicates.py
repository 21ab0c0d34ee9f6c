"""Duplicate detection: exact fingerprints and MinHash near-duplicates."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.errors import DataError
from vigil.workspace.duplicates import (
    KnownText,
    NearDuplicateIndex,
    find_duplicate,
    fingerprint,
    minhash,
    near_duplicate_pairs,
    normalise,
    signature_from_bytes,
    signature_to_bytes,
    similarity,
)

STORY = (
    "Armed men attacked the village of Kabala before dawn on Tuesday, killing at least eleven "
    "people and burning the health centre, according to the local chief. Survivors fled to the "
    "town of Nduma, where a church is sheltering more than four hundred families. The provincial "
    "governor said an investigation had been opened and that troops had been sent to the area. "
    "Aid agencies warned that food stocks in Nduma would last less than a week."
)
UPDATED = STORY + " By Wednesday evening the death toll had risen to fourteen."
OTHER = (
    "The electoral commission published the final list of candidates for the presidential vote, "
    "after the constitutional court rejected appeals from two opposition parties. Campaigning "
    "officially opens next month and observers from the regional body are expected to arrive."
)


@pytest.mark.parametrize(
    "variant",
    [
        STORY.upper(),
        STORY.replace(" ", "   "),
        STORY.replace(",", "").replace(".", " . "),
        "  " + STORY.replace(". ", ".\n\n") + "\n",
    ],
)
def test_fingerprint_ignores_case_spacing_and_punctuation(variant: str) -> None:
    assert fingerprint(variant) == fingerprint(STORY)


def test_fingerprint_changes_with_the_words() -> None:
    assert fingerprint(STORY) != fingerprint(STORY.replace("eleven", "twelve"))


def test_fingerprint_folds_unicode_compatibility_forms() -> None:
    assert fingerprint("Ｃôte d’Ivoire") == fingerprint("côte d’ivoire")


def test_an_updated_story_is_a_near_duplicate() -> None:
    score = similarity(minhash(STORY), minhash(UPDATED))
    assert 0.8 <= score < 1.0


def test_unrelated_stories_are_not_similar() -> None:
    assert similarity(minhash(STORY), minhash(OTHER)) < 0.1


def test_signatures_are_deterministic_across_runs() -> None:
    """Stored signatures must stay comparable with new ones: the hash family is fixed."""
    text = "The quick brown fox jumps over the lazy dog near the river bank."
    assert minhash(text)[:4].tolist() == [1826794, 65380000, 19025769, 534741621]


def test_signature_round_trips_through_bytes() -> None:
    signature = minhash(STORY)
    data = signature_to_bytes(signature)
    assert len(data) == 8 * signature.size
    assert np.array_equal(signature_from_bytes(data), signature)


def test_bad_stored_signature_is_a_data_error() -> None:
    with pytest.raises(DataError, match="multiple of 8"):
        signature_from_bytes(b"\x00" * 12)
    with pytest.raises(DataError, match="same num_perm"):
        similarity(minhash(STORY), minhash(STORY, num_perm=64))


def test_find_duplicate_prefers_an_exact_match() -> None:
    known = [KnownText.of("near", UPDATED), KnownText.of("exact", STORY.lower())]
    found = find_duplicate(STORY, known)
    assert found is not None
    assert (found.key, found.kind, found.similarity) == ("exact", "exact", 1.0)


def test_find_duplicate_reports_the_closest_near_duplicate() -> None:
    known = [KnownText.of(1, OTHER), KnownText.of(2, UPDATED)]
    found = find_duplicate(STORY, known)
    assert found is not None
    assert found.key == 2 and found.kind == "near" and found.similarity >= 0.8


def test_find_duplicate_returns_none_below_the_threshold() -> None:
    assert find_duplicate(STORY, [KnownText.of(1, OTHER)]) is None
    assert find_duplicate(STORY, [KnownText.of(1, UPDATED)], threshold=0.99) is None


def test_index_finds_near_duplicates_among_many() -> None:
    index: NearDuplicateIndex[str] = NearDuplicateIndex()
    for n in range(50):
        index.add(f"filler-{n}", minhash(f"{OTHER} Bulletin number {n} of the series."))
    index.add("story", minhash(STORY))
    hits = index.query(minhash(UPDATED))
    assert [key for key, _ in hits] == ["story"]
    assert hits[0][1] >= 0.8


def test_pairs_lists_each_near_duplicate_pair_once() -> None:
    pairs = near_duplicate_pairs([STORY, OTHER, UPDATED, STORY])
    assert [(i, j) for i, j, _ in pairs] == [(0, 2), (0, 3), (2, 3)]
    assert dict(((i, j), s) for i, j, s in pairs)[(0, 3)] == 1.0


@given(st.text(max_size=300))
def test_normalise_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


@given(st.text(max_size=300))
def test_a_text_is_always_its_own_duplicate(text: str) -> None:
    assert similarity(minhash(text), minhash(text)) == 1.0
    assert fingerprint(text) == fingerprint(f"  {text} !\n")
