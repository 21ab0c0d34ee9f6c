"""One registry says what every predictor is; validation, models and explanations read it."""

from __future__ import annotations

import pytest

from vigil.risk import table as risk_table
from vigil.risk.features import FEATURES
from vigil.risk.models import MODELS, TIMELESS
from vigil.risk.variables import EWP_PREDICTORS, MONOTONE, TREND, VARIABLES, label


def _model_inputs() -> set[str]:
    names: set[str] = set()
    for spec in MODELS.values():
        model = spec.make(0)
        for member in [model, *(m for _, m in getattr(model, "members", ()))]:
            names.update(getattr(member, "columns", None) or ())
    return names


@pytest.mark.parametrize("name", sorted({*EWP_PREDICTORS, *FEATURES} | _model_inputs() - {"ccode"}))
def test_every_predictor_has_a_plain_language_label(name: str) -> None:
    assert name in VARIABLES
    assert label(name) != name and label(name)[0].isupper()


def test_the_public_model_has_its_39_predictors_in_order() -> None:
    assert len(EWP_PREDICTORS) == 39
    assert EWP_PREDICTORS[:2] == ("widetargeting", "narrowtargeting")
    assert risk_table.EWP_PREDICTORS == EWP_PREDICTORS


def test_validation_reads_kinds_and_bounds_from_the_registry() -> None:
    binary = {v.name for v in VARIABLES.values() if v.kind == "binary"}
    assert binary <= set(risk_table.BINARY)
    assert risk_table.RANGES["freediscussion"] == VARIABLES["freediscussion"].bounds
    assert risk_table.RANGES["year"] == (1800, 2200)


def test_trend_terms_are_calendar_time_and_trees_never_see_them() -> None:
    assert {"year", "year_sq"} == TREND
    assert not TREND & set(TIMELESS)


def test_monotone_signs_are_registered_directions() -> None:
    assert MONOTONE["freediscussion"] == -1 and MONOTONE["battledeaths.log2"] == 1
    assert set(MONOTONE) <= set(VARIABLES)


def test_unknown_names_are_shown_as_they_are() -> None:
    assert label("not-a-variable") == "not-a-variable"
