"""Countries mentioned in a report: names, short forms, demonyms and unambiguous places.

Names come from country_converter (short and official names); ``places.json`` adds demonyms
("Sudanese"), common short forms ("DRC") and regions that name one country in the news
("Darfur"). Matching is case-sensitive on word boundaries with the longest alternative first,
so "South Sudan" is not read as "Sudan", "Nigerien" not as "Niger", nor "turkey" as a country.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from vigil.countries import converter, name_for_iso3
from vigil.data import bundled
from vigil.errors import DataError

PLACES_FILE = "framework/places.json"
_ALIAS_SECTIONS = ("aliases", "demonyms", "places")
_ISO3 = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, slots=True)
class CountryMention:
    """A country named in a text: ISO3, display name, how often, where first, and as what."""

    iso3: str
    name: str
    count: int
    first_offset: int
    matched: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Matcher:
    pattern: re.Pattern[str]
    iso3_of: dict[str, str]
    sha256: str


def find_countries(text: str, *, places: Path | None = None) -> list[CountryMention]:
    """Countries named in ``text``, most mentioned first (ties: first mentioned first)."""
    matcher = _matcher(str(places or bundled(PLACES_FILE)))
    found: dict[str, list[tuple[int, str]]] = {}
    for match in matcher.pattern.finditer(text):
        surface = match.group(0)
        found.setdefault(matcher.iso3_of[surface], []).append((match.start(), surface))
    mentions = [
        CountryMention(
            iso3=iso3,
            name=name_for_iso3(iso3) or iso3,
            count=len(hits),
            first_offset=hits[0][0],
            matched=tuple(dict.fromkeys(surface for _, surface in hits)),
        )
        for iso3, hits in found.items()
    ]
    return sorted(mentions, key=lambda m: (-m.count, m.first_offset))


def places_sha256(places: Path | None = None) -> str:
    """SHA-256 of the alias file in use (recorded with triage results)."""
    return _matcher(str(places or bundled(PLACES_FILE))).sha256


@cache
def _matcher(path: str) -> _Matcher:
    raw = Path(path).read_bytes()
    iso3_of = _converter_names()
    iso3_of.update(_aliases(raw, path))
    alternatives = sorted(iso3_of, key=lambda name: (-len(name), name))
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, alternatives)) + r")\b")
    return _Matcher(pattern=pattern, iso3_of=iso3_of, sha256=hashlib.sha256(raw).hexdigest())


def _converter_names() -> dict[str, str]:
    """Short and official names of every country country_converter knows, without comma forms
    ("Korea, Republic of") that never occur in running text."""
    names: dict[str, str] = {}
    table = converter().data
    for column in ("name_short", "name_official"):
        for name, iso3 in zip(table[column], table["ISO3"], strict=True):
            if isinstance(name, str) and "," not in name and "(" not in name:
                names[name.strip()] = str(iso3)
    return names


def _aliases(raw: bytes, path: str) -> dict[str, str]:
    try:
        data: Any = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DataError(f"the places file is not valid JSON: {err}", path=path) from err
    aliases: dict[str, str] = {}
    for section in _ALIAS_SECTIONS:
        entries = data.get(section, {}) if isinstance(data, dict) else None
        if not isinstance(entries, dict):
            raise DataError(f"expected an object of name -> ISO3 under {section!r}", path=path)
        for name, iso3 in entries.items():
            if not isinstance(iso3, str) or not _ISO3.match(iso3):
                raise DataError(
                    f"expected an ISO3 code for {name!r}, got {iso3!r}", path=path, column=section
                )
            aliases[name] = iso3
    return aliases
