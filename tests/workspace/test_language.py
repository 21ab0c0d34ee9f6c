"""Language identification of reports, with the default detector and the optional one."""

from __future__ import annotations

import importlib.util

import pytest

from vigil.workspace.language import LANGUAGES, UNKNOWN, detect, detector_name

DETECTORS = [
    "py3langid",
    pytest.param(
        "lingua",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("lingua") is None, reason="the lang extra is not installed"
        ),
    ),
]
SAMPLES = {
    "en": "Armed men attacked the village at dawn and burned the market.",
    "fr": "Des hommes armés ont attaqué le village à l'aube et incendié le marché.",
    "es": "Hombres armados atacaron la aldea al amanecer e incendiaron el mercado.",
    "ar": "هاجم مسلحون القرية عند الفجر وأحرقوا السوق.",
    "ru": "Вооружённые люди напали на деревню на рассвете и сожгли рынок.",
    "zh": "武装人员在黎明时分袭击了村庄并烧毁了市场。",
}


@pytest.mark.parametrize("detector", DETECTORS)
@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_the_six_un_languages_are_told_apart(detector: str, language: str) -> None:
    found = detect(SAMPLES[language], detector=detector)
    assert (found.code, found.detector) == (language, detector)
    assert 0.5 < found.confidence <= 1.0


@pytest.mark.parametrize("detector", DETECTORS)
@pytest.mark.parametrize("text", ["", "  ", "12 34 —", "ok"])
def test_a_text_without_enough_letters_has_no_language(detector: str, text: str) -> None:
    assert detect(text, detector=detector).code == UNKNOWN


def test_the_optional_detector_is_preferred_when_installed() -> None:
    expected = "lingua" if importlib.util.find_spec("lingua") else "py3langid"
    assert detector_name() == expected
    assert {"en", "fr", "es", "ar", "ru", "zh"} <= set(LANGUAGES)
