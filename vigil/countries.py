"""Country identity: names, ISO 3166 alpha-3, Correlates-of-War and Gleditsch-Ward codes.

Modern states are resolved by country-converter; states that no longer exist
(East Germany, North Vietnam, South Yemen, Czechoslovakia) by ISO 3166-3 through
pycountry. ``_SPELLINGS`` only translates source-specific spellings into names
those libraries know; it holds no codes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import pycountry

from vigil.errors import UnknownCountryError

if TYPE_CHECKING:
    import country_converter

_SPELLINGS = {
    "Kyrgystan": "Kyrgyzstan",
    "East Germany": "German Democratic Republic",
    "Democratic Republic of Vietnam": "Viet-Nam, Democratic Republic of",
    "People's Republic of Yemen": "Yemen, Democratic, People's Democratic Republic of",
    "Czechoslovakia": "Czechoslovakia, Czechoslovak Socialist Republic",
}

# States with no ISO 3166 code at all; they keep an empty ISO3.
_NO_ISO_CODE = frozenset({"Republic of Vietnam"})


@dataclass(frozen=True, slots=True)
class Country:
    """One state's identity across the coding schemes Vigil meets."""

    name: str
    iso3: str | None
    cow: int | None = None
    gwno: int | None = None


@cache
def converter() -> country_converter.CountryConverter:
    """The shared country-converter instance (built once; it parses a large table)."""
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    return coco.CountryConverter()


@cache
def iso3_for_name(name: str) -> str | None:
    """ISO 3166 alpha-3 for a country name, or None when no library knows it."""
    spelled = _SPELLINGS.get(name, name)
    historic = pycountry.historic_countries.get(name=spelled)
    if historic is not None:
        return str(historic.alpha_3)
    found = converter().convert(spelled, src="regex", to="ISO3", not_found=None)
    return found if isinstance(found, str) else None


def identify(name: str, cow: int | None = None) -> Country:
    """Resolve a source's country name (and its COW code) to a :class:`Country`.

    Raises :class:`UnknownCountryError` when the name matches no known state.
    """
    if name in _NO_ISO_CODE:
        return Country(name=name, iso3=None, cow=cow, gwno=cow)
    iso3 = iso3_for_name(name)
    if iso3 is None:
        raise UnknownCountryError(
            f"unknown country {name!r}: expected a state name that country-converter or "
            "ISO 3166 recognises (for example 'Myanmar' or 'Burma/Myanmar')"
        )
    return Country(name=name, iso3=iso3, cow=cow, gwno=gw_for_iso3(iso3, default=cow))


@cache
def gw_for_iso3(iso3: str, default: int | None = None) -> int | None:
    """Gleditsch-Ward number for an ISO3 code, falling back to ``default``."""
    found = converter().convert(iso3, src="ISO3", to="GWcode", not_found=None)
    try:
        return int(found)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


@cache
def name_for_iso3(iso3: str) -> str | None:
    """The short English name of an ISO3 code, or None when unknown."""
    found = converter().convert(iso3, src="ISO3", to="name_short", not_found=None)
    return found if isinstance(found, str) else None
