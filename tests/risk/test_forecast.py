"""Forecasts: what they train on, how they rank, what they record."""

from __future__ import annotations

import pytest

from vigil.errors import UsageError
from vigil.risk.forecast import COLUMNS, cached_forecast, forecast, forecast_pair
from vigil.risk.table import RiskTable


@pytest.fixture(scope="module")
def result(table: RiskTable):  # type: ignore[no-untyped-def]
    return forecast(table, "ewp", 2024, seed=0)


def test_one_ranked_row_per_country_of_the_base_year(result, table: RiskTable) -> None:  # type: ignore[no-untyped-def]
    frame = result.frame
    assert tuple(frame.columns) == COLUMNS
    assert len(frame) == len(table.year(2024)) == 168
    assert frame["rank"].tolist() == list(range(1, 169))
    assert frame["probability"].is_monotonic_decreasing
    assert frame["probability"].between(0, 1).all()


def test_training_stops_two_years_before_the_base_year(result) -> None:  # type: ignore[no-untyped-def]
    assert result.provenance.parameters["training_years"] == [1960, 2022]


def test_provenance_names_data_model_version_and_time(result, table: RiskTable) -> None:  # type: ignore[no-untyped-def]
    provenance = result.provenance
    assert provenance.data_sha256 == table.sha256
    assert provenance.model == "ewp"
    assert provenance.vigil_version and provenance.created_at.endswith("+00:00")
    assert provenance.parameters["lambda"] > 0


def test_countries_are_found_by_iso3_or_name(result) -> None:  # type: ignore[no-untyped-def]
    assert result.for_country("mmr")["country"] == "Burma/Myanmar"
    assert result.for_country("Burma/Myanmar")["rank"] == 1
    with pytest.raises(UsageError, match="Narnia"):
        result.for_country("Narnia")


@pytest.mark.parametrize("year", [1960, 2025])
def test_base_years_without_history_or_predictors_are_refused(table: RiskTable, year: int) -> None:
    with pytest.raises(UsageError, match="out of range"):
        forecast(table, "ewp", year, seed=0)


def test_an_unknown_model_is_refused(table: RiskTable) -> None:
    with pytest.raises(UsageError, match="unknown model"):
        forecast(table, "crystal-ball", 2024, seed=0)


def test_a_forecast_is_fitted_once_per_data_model_horizon_year_and_seed(table: RiskTable) -> None:
    first = cached_forecast(table, "ewp", 2020, seed=0)
    assert cached_forecast(table, "ewp", 2020, seed=0) is first
    other = cached_forecast(table, "ewp", 2020, seed=1)
    assert other is not first and other.provenance.parameters["seed"] == 1


def test_the_pair_is_this_year_and_last_and_last_is_none_at_the_start(table: RiskTable) -> None:
    pair = forecast_pair(table, "ewp", 2020, seed=0)
    assert pair.previous is not None
    years = [int(f["base_year"].iloc[0]) for f in pair.frames if f is not None]
    assert years == [2020, 2019]
    earliest = forecast_pair(table, "ewp", table.first_year + 10, seed=0)
    assert earliest.previous is None and earliest.frames[1] is None
