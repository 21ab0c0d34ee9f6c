"""Country detection in report text: names, demonyms, short forms and well-known places."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vigil.errors import DataError
from vigil.workspace.mentions import find_countries


def _iso3(text: str) -> list[str]:
    return [mention.iso3 for mention in find_countries(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fighting spread from Sudan to Chad.", ["SDN", "TCD"]),
        ("South Sudanese refugees arrived overnight.", ["SSD"]),
        ("Nigerien troops crossed into Nigeria.", ["NER", "NGA"]),
        ("The DRC army deployed to North Kivu.", ["COD"]),
        ("Aid reached Guinea-Bissau and Equatorial Guinea.", ["GNB", "GNQ"]),
        ("Attacks in Darfur and Rakhine were condemned.", ["SDN", "MMR"]),
        ("Pro-Russian forces shelled the town.", ["RUS"]),
        ("Burma, also called Myanmar, held no vote.", ["MMR"]),
        ("Côte d'Ivoire and Ivory Coast are one country.", ["CIV"]),
        ("The United Kingdom and the UK are one country too.", ["GBR"]),
    ],
)
def test_countries_named_in_text(text: str, expected: list[str]) -> None:
    assert sorted(_iso3(text)) == sorted(expected)


@pytest.mark.parametrize(
    "text",
    [
        "A turkey farm and a chad of paper.",  # lower case: ordinary words, not countries
        "A woman from the capital spoke to the Somali-language radio?",
        "Nothing here names a state at all.",
    ],
)
def test_words_that_only_look_like_countries_are_ignored(text: str) -> None:
    assert "TUR" not in _iso3(text) and "TCD" not in _iso3(text) and "OMN" not in _iso3(text)


def test_most_mentioned_country_comes_first_with_its_spellings() -> None:
    mentions = find_countries(
        "Ethiopian forces entered Tigray. Ethiopia denied it. Eritrea stayed silent."
    )
    first = mentions[0]
    assert first.iso3 == "ETH" and first.count == 3
    assert first.matched == ("Ethiopian", "Tigray", "Ethiopia")
    assert first.first_offset == 0
    assert first.name == "Ethiopia"
    assert mentions[1].iso3 == "ERI"


def test_a_bad_places_file_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "places.json"
    path.write_text(json.dumps({"aliases": {"Atlantis": "atlantis"}}), encoding="utf-8")
    with pytest.raises(DataError, match="expected an ISO3 code for 'Atlantis'"):
        find_countries("Atlantis", places=path)
