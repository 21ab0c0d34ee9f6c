"""Explanations add up and say what moves a country's risk."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logit

from vigil.risk.explain import explain, global_value
from vigil.risk.table import RiskTable


@pytest.fixture(scope="module")
def myanmar(table: RiskTable):  # type: ignore[no-untyped-def]
    return explain(table, "MMR", model="ewp", base_year=2024)


def test_it_reports_probability_rank_and_the_yearly_change(myanmar) -> None:  # type: ignore[no-untyped-def]
    assert myanmar.country == "Burma/Myanmar" and myanmar.rank == 1
    assert myanmar.previous_probability is not None
    assert myanmar.change == pytest.approx(myanmar.probability - myanmar.previous_probability)


def test_linear_contributions_add_up_to_the_forecast(myanmar) -> None:  # type: ignore[no-untyped-def]
    total = logit(myanmar.reference_probability) + sum(d.effect for d in myanmar.contributions)
    assert total == pytest.approx(logit(myanmar.probability), abs=1e-9)
    assert len(myanmar.contributions) == 39


def test_counterfactuals_list_at_most_five_each_way_in_order(myanmar) -> None:  # type: ignore[no-untyped-def]
    up, down = myanmar.counterfactual_up, myanmar.counterfactual_down
    assert 0 < len(up) <= 5 and len(down) <= 5
    assert all(d.effect > 0 for d in up) and all(d.effect < 0 for d in down)
    assert [d.effect for d in up] == sorted((d.effect for d in up), reverse=True)
    assert up[0].variable in {"coup.try.5yr", "pol_killing_approved", "mk_ever"}


def test_the_yearly_change_is_split_into_moved_variables_and_the_refit(myanmar) -> None:  # type: ignore[no-untyped-def]
    assert myanmar.change_drivers, "some predictors of Myanmar changed between 2023 and 2024"
    assert all(d.value != d.reference for d in myanmar.change_drivers)
    assert myanmar.change_from_refit is not None


def test_the_global_value_is_the_mode_for_few_valued_variables() -> None:
    import pandas as pd

    assert global_value(pd.Series([0, 1, 1, 1])) == 1
    assert global_value(pd.Series(np.arange(10.0))) == 4.5
