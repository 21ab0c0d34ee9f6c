"""Explanations add up and say what moves a country's risk."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logit

from vigil.risk.explain import Explainable, explain, explain_all, global_value
from vigil.risk.forecast import cached_forecast, forecast_pair
from vigil.risk.table import RiskTable
from vigil.risk.variables import TREND


@pytest.fixture(scope="module")
def myanmar(table: RiskTable):  # type: ignore[no-untyped-def]
    return explain(table, "MMR", model="ewp", base_year=2024, seed=0)


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


def test_trend_terms_never_explain_a_yearly_change(myanmar) -> None:  # type: ignore[no-untyped-def]
    assert not {d.variable for d in myanmar.change_drivers} & TREND


def test_explaining_one_country_is_one_row_of_explaining_all(table: RiskTable, myanmar) -> None:  # type: ignore[no-untyped-def]
    every = explain_all(forecast_pair(table, "ewp", 2024, seed=0))
    [row] = [e for e in every if e.iso3 == "MMR"]
    assert (row.probability, row.rank, row.previous_rank) == (
        myanmar.probability, myanmar.rank, myanmar.previous_rank)  # fmt: skip
    for view in ("contributions", "counterfactual_up", "counterfactual_down", "change_drivers"):
        mine, theirs = getattr(row, view), getattr(myanmar, view)
        assert [d.variable for d in mine] == [d.variable for d in theirs]
        # batched predictions differ from one-row ones by rounding only
        assert [d.effect for d in mine] == pytest.approx([d.effect for d in theirs], abs=1e-12)
    assert [e.rank for e in every] == list(range(1, len(every) + 1))


@pytest.mark.parametrize("name, explainable", [("ewp", True), ("logit", True), ("boost", True),
                                               ("ensemble", False)])  # fmt: skip
def test_models_declare_whether_they_decompose(
    table: RiskTable, name: str, explainable: bool
) -> None:
    fitted = cached_forecast(table, name, 2010, seed=0).estimator
    assert isinstance(fitted, Explainable) is explainable
