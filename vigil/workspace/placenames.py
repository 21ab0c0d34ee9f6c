"""The catalogue of country names, short forms, demonyms, capitals and regions in six languages.

Sources: country_converter (English short and official names), pycountry's gettext catalogues
(``iso3166-1`` names in French, Spanish, Arabic, Russian and Chinese) and the bundled
``places.json`` (English aliases, demonyms and places, plus per-language names, demonyms,
capitals and first-level regions). Everything is compared in a *folded* form: Latin letters lose
their accents and case, Cyrillic loses case and ``ё``, Arabic loses its short vowels, tatweel
and the variants of alif, yaa and taa marbuta. Folding keeps a map to the original offsets.
"""

from __future__ import annotations

import gettext
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from vigil.countries import converter
from vigil.errors import DataError

PLACES_FILE = "framework/places.json"
LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")
_GETTEXT_LOCALES = {
    "fr": ["fr"],
    "es": ["es"],
    "ar": ["ar"],
    "ru": ["ru"],
    "zh": ["zh_CN", "zh_TW"],
}
_ALIAS_SECTIONS = ("aliases", "demonyms", "places")
_ISO3 = re.compile(r"^[A-Z]{3}$")
_ARABIC_LETTERS = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": "", "ؤ": "و"}


@dataclass(frozen=True, slots=True)
class Name:
    """One way of writing a country (or a place in it): folded, original, ISO3, script."""

    folded: str
    original: str
    iso3: str
    script: str  # "latin", "cyrillic", "arabic" or "han"
    inflected: bool  # a trailing * in the source: inflected endings allowed
    case_sensitive: bool


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every known name, with the SHA-256 of the places file it was built from."""

    names: tuple[Name, ...]
    sha256: str


@cache
def _fold_char(char: str) -> str:
    if char in _ARABIC_LETTERS:
        return _ARABIC_LETTERS[char]
    if "\u0610" <= char <= "\u061a" or "\u064b" <= char <= "\u065f" or char == "\u0670":
        return ""  # Arabic short vowels and other marks
    lower = char.casefold()
    if lower == "ё":
        return "е"
    if len(lower) == 1 and ord(lower) < 0x250:
        stripped = "".join(c for c in unicodedata.normalize("NFD", lower) if not _is_mark(c))
        return stripped or lower
    return lower


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) == "Mn"


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` folded for matching, and for each folded character its offset in ``text``."""
    pieces: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        pieces.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(pieces), offsets


def fold_text(text: str) -> str:
    """Only the folded text (see :func:`fold`)."""
    return "".join(_fold_char(char) for char in text)


def script_of(name: str) -> str:
    """The script a name is written in: the first letter decides."""
    for char in name:
        if "\u0600" <= char <= "\u06ff":
            return "arabic"
        if "\u0400" <= char <= "\u04ff":
            return "cyrillic"
        if "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff":
            return "han"
        if char.isalpha():
            return "latin"
    return "latin"


def catalogue(path: Path) -> Catalogue:
    """The names from every source, for the places file at ``path`` (built once per path)."""
    return _catalogue(str(path))


@cache
def _catalogue(path: str) -> Catalogue:
    try:
        raw = Path(path).read_bytes()
        data: Any = json.loads(raw)
    except OSError as err:
        raise DataError(f"cannot read the places file: {err.strerror}", path=path) from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DataError(f"the places file is not valid JSON: {err}", path=path) from err
    if not isinstance(data, dict):
        raise DataError("expected a JSON object of sections", path=path)
    ambiguous = {fold_text(n) for names in data.get("ambiguous", {}).values() for n in names}
    sensitive = {str(n) for n in data.get("case_sensitive", [])}
    found: dict[str, tuple[str, str]] = {}
    for original, iso3 in (*_library_names(), *_file_names(data, path)):
        key = fold_text(original.strip())
        if key and key.rstrip("*") not in ambiguous:
            found.setdefault(key, (original.strip(), iso3))
    names = tuple(
        Name(
            folded=key.rstrip("*"),
            original=original.rstrip("*"),
            iso3=iso3,
            script=script_of(key),
            inflected=key.endswith("*"),
            case_sensitive=original.rstrip("*") in sensitive,
        )
        for key, (original, iso3) in found.items()
    )
    return Catalogue(names=names, sha256=hashlib.sha256(raw).hexdigest())


def _library_names() -> list[tuple[str, str]]:
    """English names from country_converter, then pycountry's translations."""
    names: list[tuple[str, str]] = []
    table = converter().data
    for column in ("name_short", "name_official"):
        for name, iso3 in zip(table[column], table["ISO3"], strict=True):
            if isinstance(name, str) and "," not in name and "(" not in name:
                names.append((name, str(iso3)))
    return names + _translated_names()


def _translated_names() -> list[tuple[str, str]]:
    """Country names in French, Spanish, Arabic, Russian and Chinese from pycountry's catalogues.

    Catalogue entries in the inverted form ("Congo, République démocratique du") are turned
    round; parenthesised qualifiers are dropped.
    """
    import pycountry

    names: list[tuple[str, str]] = []
    for locales in _GETTEXT_LOCALES.values():
        for locale in locales:
            try:
                catalogue = gettext.translation(
                    "iso3166-1", pycountry.LOCALES_DIR, languages=[locale]
                )
            except OSError:
                continue
            for country in pycountry.countries:
                for attribute in ("name", "official_name", "common_name"):
                    english = getattr(country, attribute, None)
                    if english:
                        translated = _upright(catalogue.gettext(english))
                        if translated and translated != english:
                            names.append((translated, country.alpha_3))
    return names


def _upright(name: str) -> str:
    name = re.sub(r"\s*[(（].*?[)）]", "", name).strip()
    for comma in ("،", ","):
        if comma in name:
            head, _, tail = name.partition(comma)
            return f"{tail.strip()} {head.strip()}" if script_of(name) != "arabic" else tail.strip()
    return name


def _file_names(data: dict[str, Any], path: str) -> list[tuple[str, str]]:
    names: list[tuple[str, str]] = []
    for section in _ALIAS_SECTIONS:
        entries = data.get(section, {})
        if not isinstance(entries, dict):
            raise DataError(f"expected an object of name -> ISO3 under {section!r}", path=path)
        names += [
            (name, _checked_iso3(iso3, name, path, section)) for name, iso3 in entries.items()
        ]
    languages = data.get("languages", {})
    if not isinstance(languages, dict):
        raise DataError("expected an object of ISO3 -> language -> names", path=path)
    for iso3, by_language in languages.items():
        _checked_iso3(iso3, iso3, path, "languages")
        for language, entries in by_language.items():
            if language not in LANGUAGES or not isinstance(entries, list):
                raise DataError(
                    f"expected a list of names per language {LANGUAGES}, got {language!r}",
                    path=path,
                    column="languages",
                )
            names += [(str(name), iso3) for name in entries]
    return names


def _checked_iso3(iso3: Any, name: str, path: str, section: str) -> str:
    if not isinstance(iso3, str) or not _ISO3.match(iso3):
        raise DataError(
            f"expected an ISO3 code for {name!r}, got {iso3!r}", path=path, column=section
        )
    return iso3
