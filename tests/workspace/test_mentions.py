"""Country detection in report text: names, demonyms, short forms and well-known places."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.errors import DataError
from vigil.workspace.mentions import find_countries
from vigil.workspace.placenames import fold


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Des milices armées ont tué des civils au Soudan, dans le Darfour.", "SDN"),
        ("Les réfugiées soudanaises sont arrivées au Tchad hier soir.", "SDN"),
        ("Los desplazados colombianos cruzaron la frontera desde el Catatumbo.", "COL"),
        ("La RDC accuse le M23 ; des combats à Goma et au Nord-Kivu.", "COD"),
        ("قتلت ميليشيات مسلحة مدنيين بالسودان وفر السودانيون من دارفور.", "SDN"),
        ("وصل اللاجئون السوريون إلى لبنان من سوريا.", "SYR"),
        ("В Южном Судане и на границе с Суданом продолжаются бои в Южном Судане.", "SSD"),
        ("Суданские военные вошли в Эль-Фашер; в Судане голод.", "SDN"),
        ("民兵在苏丹达尔富尔杀害平民，苏丹军队撤退。", "SDN"),
        ("南苏丹难民逃往乍得，南苏丹政府否认。", "SSD"),
    ],
)
def test_the_main_country_in_six_languages(text: str, expected: str) -> None:
    assert _iso3(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("تعهدت الحكومة بتقديم دعم مالي للمزارعين.", "MLI"),  # مالي: "financial"
        ("索马里青年党发动袭击。", "MLI"),  # 马里 inside 索马里 (Somalia)
        ("Les tensions à Jénine restent vives.", "SDN"),
        ("قُتل عشرة أشخاص في الجنينة.", "PSE"),  # El Geneina (SDN), not Jenin
        ("A turkey farm in the plateau region.", "TUR"),
    ],
)
def test_lookalikes_are_not_read_as_countries(text: str, absent: str) -> None:
    assert absent not in _iso3(text)


def test_the_title_and_the_opening_outrank_a_passing_mention() -> None:
    body = "Chad hosts the camps. " + "Nothing else here. " * 40 + "Sudan, Sudan."
    assert _iso3(body)[0] == "TCD"  # two late mentions weigh as much as one early one
    titled = find_countries(body, title="Sudan: the war spreads")
    assert titled[0].iso3 == "SDN" and titled[0].in_title and titled[0].score > titled[1].score


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_any_text_gives_well_formed_mentions(text: str) -> None:
    for mention in find_countries(text, title=text[:40]):
        assert len(mention.iso3) == 3 and mention.score > 0
        assert 0 <= mention.first_offset <= max(len(text) - 1, 0)
        assert all(surface in text or surface in text[:40] for surface in mention.matched)


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_folding_maps_every_character_back_into_the_text(text: str) -> None:
    folded, offsets = fold(text)
    assert len(folded) == len(offsets)
    assert offsets == sorted(offsets) and all(0 <= o < len(text) for o in offsets)
