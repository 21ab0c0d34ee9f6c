"""Countries a report names, in six languages, ranked by how much the report is *about* them.

Names come from :mod:`vigil.workspace.placenames`. The text and the names are folded the same
way (accents, case, Arabic letter variants), then matched by script:

- Latin: on word boundaries; a name marked as inflected also takes ``-e/-s/-es/-ne/-a/-os``…
  ("soudanaises", "colombianos"). Names that are ordinary words in lower case ("turkey",
  "chad") must be capitalised in the original text.
- Cyrillic: every word of a name is reduced to a stem that takes Russian case endings
  ("Южном Судане", "суданских").
- Arabic: inside a word, after the clitics و/ف/ب/ل/ك and the article (بالسودان, للسودان),
  with the relative suffix (السودانيين).
- Chinese: anywhere, longest name first (南苏丹 before 苏丹).

A country's score adds one per mention, one more for a mention in the opening of the text and
two more for one in the title, so the country a report is about outranks those it mentions in
passing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from vigil.countries import name_for_iso3
from vigil.data import bundled
from vigil.workspace.placenames import PLACES_FILE, Name, catalogue, fold, script_of

LEAD_SHARE = 0.2  # the opening: the first fifth of the text ...
LEAD_MIN_CHARS = 300  # ... or its first 300 characters, whichever is longer
LEAD_BONUS = 1.0
TITLE_BONUS = 2.0
MAX_WORDS = 6  # the longest name, in words
_LATIN_ENDINGS = ("", "e", "s", "es", "ne", "nes", "a", "as", "o", "os")
_RUSSIAN_ENDINGS = ("", "а", "у", "е", "ом", "ой", "ы", "ов")
_RUSSIAN_VOWELS = "аеёиоуыэюяйь"
_RUSSIAN_ADJECTIVE = ("ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие")
_AR_PREFIXES = tuple(
    conj + rest for conj in ("", "و", "ف") for rest in ("", "ب", "ل", "ك", "ال", "بال", "كال", "لل")
)
_AR_SUFFIXES = ("", "ي", "يه", "يون", "يين", "يات", "ه", "ون", "ين", "ات")
_TOKEN = re.compile(r"[^\W\d_]+")
_JOINER = re.compile(r"[\s\-'’]+")


@dataclass(frozen=True, slots=True)
class CountryMention:
    """A country named in a text: ISO3, name, how often, where first, as what, how central."""

    iso3: str
    name: str
    count: int
    first_offset: int
    matched: tuple[str, ...]
    score: float = 0.0
    in_title: bool = False


@dataclass(frozen=True, slots=True)
class _Matcher:
    trie: dict[str, Any]  # word key -> subtree; the key "" holds the name ending there
    han: dict[str, Name]  # Chinese names, matched as substrings
    han_lengths: tuple[int, ...]  # their lengths, longest first
    sha256: str


@dataclass(frozen=True, slots=True)
class _Hit:
    iso3: str
    offset: int
    surface: str


def find_countries(
    text: str, *, title: str | None = None, places: Path | None = None
) -> list[CountryMention]:
    """Countries named in ``title`` and ``text``, the one the report is most about first."""
    matcher = _matcher(str(places or bundled(PLACES_FILE)))
    hits = _hits(text, matcher)
    titled = {hit.iso3 for hit in _hits(title or "", matcher)}
    lead = max(LEAD_MIN_CHARS, int(len(text) * LEAD_SHARE))
    grouped: dict[str, list[_Hit]] = {}
    for hit in hits:
        grouped.setdefault(hit.iso3, []).append(hit)
    for iso3 in titled - grouped.keys():
        grouped[iso3] = []
    mentions = [
        CountryMention(
            iso3=iso3,
            name=name_for_iso3(iso3) or iso3,
            count=len(found),
            first_offset=found[0].offset if found else 0,
            matched=tuple(dict.fromkeys(hit.surface for hit in found)),
            score=_score(found, lead, iso3 in titled),
            in_title=iso3 in titled,
        )
        for iso3, found in grouped.items()
    ]
    return sorted(mentions, key=lambda m: (-m.score, m.first_offset if m.count else -1))


def _score(found: list[_Hit], lead: int, in_title: bool) -> float:
    score = sum(1.0 + (LEAD_BONUS if hit.offset < lead else 0.0) for hit in found)
    return round(score + (TITLE_BONUS if in_title else 0.0), 3)


def _hits(text: str, matcher: _Matcher) -> list[_Hit]:
    if not text:
        return []
    folded, offsets = fold(text)
    found: list[tuple[int, int, Name]] = []
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(folded)]
    i = 0
    while i < len(tokens):
        start, stop, token = tokens[i]
        if _is_han(token[0]):
            found += _han_hits(token, start, matcher)
            i += 1
            continue
        longest = _longest(tokens, i, folded, matcher.trie)
        if longest is None:
            i += 1
            continue
        span, name = longest
        found.append((start, tokens[i + span - 1][1], name))
        i += span
    hits = []
    for start, stop, name in found:
        surface = text[offsets[start] : offsets[stop - 1] + 1]
        if not name.case_sensitive or _capitalised(surface, name.original):
            hits.append(_Hit(iso3=name.iso3, offset=offsets[start], surface=surface))
    return hits


def _longest(
    tokens: list[tuple[int, int, str]], i: int, folded: str, trie: dict[str, Any]
) -> tuple[int, Name] | None:
    """The longest name starting at token ``i``: how many tokens it spans, and the name."""
    nodes = [trie]
    best: tuple[int, Name] | None = None
    for j in range(i, min(i + MAX_WORDS, len(tokens))):
        if j > i and not _JOINER.fullmatch(folded[tokens[j - 1][1] : tokens[j][0]]):
            break
        keys = _keys(tokens[j][2])
        nodes = [node[key] for node in nodes for key in keys if key in node]
        if not nodes:
            break
        ending = next((node[""] for node in nodes if "" in node), None)
        if ending is not None:
            best = (j - i + 1, ending)
    return best


def _han_hits(run: str, start: int, matcher: _Matcher) -> list[tuple[int, int, Name]]:
    hits = []
    k = 0
    while k < len(run):
        for length in matcher.han_lengths:
            name = matcher.han.get(run[k : k + length])
            if name is not None and k + length <= len(run):
                hits.append((start + k, start + k + length, name))
                k += length
                break
        else:
            k += 1
    return hits


def _capitalised(surface: str, original: str) -> bool:
    if original.isupper():
        return surface.isupper()
    return surface[:1].isupper()


def places_sha256(places: Path | None = None) -> str:
    """SHA-256 of the places file in use (recorded with triage results)."""
    return _matcher(str(places or bundled(PLACES_FILE))).sha256


@cache
def _matcher(path: str) -> _Matcher:
    found = catalogue(Path(path))
    trie: dict[str, Any] = {}
    han: dict[str, Name] = {}
    for name in sorted(found.names, key=lambda n: (len(n.folded), n.folded), reverse=True):
        if name.script == "han":
            han.setdefault(name.folded, name)
            continue
        for words in _name_keys(name):
            node = trie
            for key in words:
                node = node.setdefault(key, {})
            node.setdefault("", name)
    lengths = tuple(sorted({len(k) for k in han}, reverse=True))
    return _Matcher(trie=trie, han=han, han_lengths=lengths, sha256=found.sha256)


def _name_keys(name: Name) -> list[tuple[str, ...]]:
    """The word keys a name is filed under (one tuple per accepted form)."""
    words = [m.group() for m in _TOKEN.finditer(name.folded)]
    if not words:
        return []
    if name.script == "cyrillic":
        return [tuple(_russian_key(word, name.inflected) for word in words)]
    if name.script == "arabic":
        head = words[0][2:] if words[0].startswith("ال") and len(words[0]) > 4 else words[0]
        forms = [(head, *words[1:])]
        if len(words) == 1 and head.endswith("يا") and len(head) > 3:
            forms.append((head[:-1],))
        return forms
    if name.inflected:
        return [(*words[:-1], "~" + words[-1])]
    return [tuple(words)]


def _russian_key(word: str, inflected: bool) -> str:
    """A Russian word's key: a stem that takes any ending for long words ("~"), the word with
    a short list of endings for short ones ("="), the bare word for short indeclinable ones."""
    long = len(word) >= 5 or inflected
    if long and word.endswith(_RUSSIAN_ADJECTIVE):
        return "~" + word[:-2]
    stem = word[:-1] if long and word[-1] in _RUSSIAN_VOWELS else word
    if long and len(stem) >= 4:
        return "~" + stem
    return word if word[-1] in _RUSSIAN_VOWELS else "=" + word


@cache
def _keys(token: str) -> tuple[str, ...]:
    """Every key a text token can match: itself, and its stems without endings or clitics;
    longest first, so the least-stripped reading wins (الجنينة is El Geneina, not Jenin)."""
    keys = {token}
    script = script_of(token)
    if script == "latin":
        keys.add("~" + token)
        keys.update("~" + token[: -len(s)] for s in _LATIN_ENDINGS if _strip_ok(token, s, 3))
    elif script == "cyrillic":
        keys.update("~" + token[: len(token) - k] for k in range(0, 7) if len(token) - k >= 3)
        keys.update("=" + token[: len(token) - len(e)] for e in _RUSSIAN_ENDINGS
                    if _strip_ok(token, e, 3))  # fmt: skip
    elif script == "arabic":
        for prefix in _AR_PREFIXES:
            if token.startswith(prefix) and len(token) - len(prefix) >= 2:
                rest = token[len(prefix) :]
                keys.update(rest[: len(rest) - len(s)] for s in _AR_SUFFIXES
                            if _strip_ok(rest, s, 2))  # fmt: skip
    return tuple(sorted(keys, key=lambda key: (-len(key.lstrip("~=")), key)))


def _strip_ok(token: str, ending: str, shortest: int) -> bool:
    return token.endswith(ending) and len(token) - len(ending) >= shortest


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"
