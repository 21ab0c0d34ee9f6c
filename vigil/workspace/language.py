"""Which language a report is written in (ISO 639-1), offline.

The default detector is ``py3langid`` (a 4.5 MB package, loads in about a second), restricted to
the six official UN languages and the languages reports about them are most often written in
besides. When the optional ``lingua-language-detector`` is installed (``vigil[lang]``; about
100 MB, since its one binary carries every language's model), it is used instead: it is more
accurate on very short texts. Both are restricted to :data:`LANGUAGES`, which keeps them fast.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from typing import Any

LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh", "pt", "de", "it", "uk", "tr", "fa", "sw")
UNKNOWN = "und"
MIN_LETTERS = 3
_detector: Any = None
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Detected:
    """The language of a text (ISO 639-1, ``und`` when unknown) and the detector's confidence."""

    code: str
    confidence: float
    detector: str


def detector_name() -> str:
    """``lingua`` when the optional package is installed, else ``py3langid``."""
    return "lingua" if importlib.util.find_spec("lingua") else "py3langid"


def detect(text: str, *, detector: str | None = None) -> Detected:
    """The language of ``text`` (at most its first 2,000 characters are read)."""
    name = detector or detector_name()
    sample = " ".join(text[:2000].split())
    if sum(char.isalpha() for char in sample) < MIN_LETTERS:
        return Detected(UNKNOWN, 0.0, name)
    if name == "lingua":
        return _lingua(sample)
    code, confidence = _load("py3langid").classify(sample)
    return Detected(str(code), round(float(confidence), 4), "py3langid")


def _lingua(sample: str) -> Detected:
    values = _load("lingua").compute_language_confidence_values(sample)
    if not values:
        return Detected(UNKNOWN, 0.0, "lingua")
    best = values[0]
    code = best.language.iso_code_639_1.name.lower()
    return Detected(code, round(float(best.value), 4), "lingua")


_loaded: dict[str, Any] = {}


def _load(name: str) -> Any:
    with _lock:
        if name not in _loaded:
            _loaded[name] = _build(name)
    return _loaded[name]


def _build(name: str) -> Any:
    if name == "lingua":
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        chosen = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in LANGUAGES]
        return LanguageDetectorBuilder.from_languages(*chosen).build()
    import py3langid.langid as langid

    identifier = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier
