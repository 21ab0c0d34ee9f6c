"""Country identity across naming schemes."""

import pytest

from vigil.countries import identify, iso3_for_name
from vigil.errors import UnknownCountryError


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Burma/Myanmar", "MMR"),
        ("Ivory Coast", "CIV"),
        ("Kyrgystan", "KGZ"),
        ("Democratic Republic of Congo", "COD"),
        ("East Germany", "DDR"),
        ("Czechoslovakia", "CSK"),
        ("Democratic Republic of Vietnam", "VDR"),
    ],
)
def test_source_spellings_resolve_to_iso3(name: str, iso3: str) -> None:
    assert iso3_for_name(name) == iso3


def test_a_state_without_any_iso_code_keeps_an_empty_iso3() -> None:
    assert identify("Republic of Vietnam", 817).iso3 is None


def test_an_unknown_name_is_refused_with_the_name_in_the_message() -> None:
    with pytest.raises(UnknownCountryError, match="Nowhere"):
        identify("Nowhere", 999)
