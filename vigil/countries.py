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

_MISSING = "\x00not-found"  # country-converter returns its input when not_found is None

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
    found = converter().convert(spelled, src="regex", to="ISO3", not_found=_MISSING)
    return found if isinstance(found, str) and found != _MISSING else None


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
    found = converter().convert(iso3, src="ISO3", to="GWcode", not_found=_MISSING)
    try:
        return int(found)
    except (TypeError, ValueError):
        return default


@cache
def name_for_iso3(iso3: str) -> str | None:
    """The short English name of an ISO3 code, or None when unknown."""
    found = converter().convert(iso3, src="ISO3", to="name_short", not_found=_MISSING)
    return found if isinstance(found, str) and found != _MISSING else None


# --- Gleditsch-Ward, FIPS 10-4 and COW lookups (tables in vigil/data/countries/) ---


@dataclass(frozen=True, slots=True)
class CodeTables:
    """Mappings from source-specific country codes to ISO 3166 alpha-3.

    ``gw`` maps Gleditsch-Ward numbers (as UCDP uses them), ``fips`` maps FIPS 10-4 codes (as GDELT
    uses them) and ``cow`` maps ISO3 to Correlates-of-War numbers.
    """

    gw: dict[int, str]
    fips: dict[str, str]
    cow: dict[str, int]


def _read_table(name: str) -> list[dict[str, str]]:
    import csv
    from importlib.resources import files

    text = files("vigil.data").joinpath("countries", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def code_tables() -> CodeTables:
    """The bundled code tables (countrycode's codelist plus documented source conventions)."""
    gw: dict[int, str] = {}
    fips: dict[str, str] = {}
    cow: dict[str, int] = {}
    for row in _read_table("country-codes.csv"):
        iso3 = row["iso3"] or None
        if iso3 and row["gwn"]:
            gw[int(row["gwn"])] = iso3
        if iso3 and row["fips"]:
            fips[row["fips"]] = iso3
        if iso3 and row["cown"]:
            cow[iso3] = int(row["cown"])
    for row in _read_table("supplement.csv"):
        if row["scheme"] == "gw":
            gw[int(row["code"])] = row["iso3"]
        else:
            fips[row["code"]] = row["iso3"]
    return CodeTables(gw=gw, fips=fips, cow=cow)


def iso3_for_gw(gwno: int) -> str | None:
    """ISO3 for a Gleditsch-Ward number as UCDP uses it (678 "Yemen (North Yemen)" is YEM)."""
    return code_tables().gw.get(int(gwno))


def iso3_for_fips(code: str) -> str | None:
    """ISO3 for a FIPS 10-4 country code (GDELT's geography: "RP" is PHL, "SU" is SDN)."""
    return code_tables().fips.get(code.strip().upper())


def cow_for_iso3(iso3: str) -> int | None:
    """Correlates-of-War number for an ISO3 code, or None when the state has none."""
    return code_tables().cow.get(iso3)
