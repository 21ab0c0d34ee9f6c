"""Country-year forecasts: fit a model on what was known at the base year, score every country."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from cachetools import LRUCache

from vigil.errors import UsageError
from vigil.provenance import Provenance
from vigil.risk.models import RiskModel, default_model, get_model
from vigil.risk.table import TARGET, RiskTable

COLUMNS = ("country", "ccode", "iso3", "base_year", "model", "probability", "rank")
#: Years ahead the forecast looks (onset in base year + 1 … base year + HORIZON).
HORIZON = 2
#: Fitted forecasts kept in memory, keyed on (data hash, model, horizon, base year, seed).
CACHE_SIZE = 16
_cache: LRUCache[tuple[str, str, int, int, int], Forecast] = LRUCache(maxsize=CACHE_SIZE)
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Forecast:
    """Two-year onset probabilities for every country in the base year, ranked."""

    frame: pd.DataFrame
    provenance: Provenance
    estimator: RiskModel
    design: pd.DataFrame

    def for_country(self, iso3_or_name: str) -> pd.Series:
        """The forecast row of one country, by ISO3 code or the table's name."""
        row: pd.Series = self.frame.loc[country_index(self.frame, iso3_or_name)]
        return row


def country_index(frame: pd.DataFrame, iso3_or_name: str) -> Any:
    """Index label of a country in ``frame`` by ISO3 or name (case-insensitive)."""
    key = iso3_or_name.strip().casefold()
    match = frame.index[
        (frame["iso3"].fillna("").str.casefold() == key) | (frame["country"].str.casefold() == key)
    ]
    if len(match) == 0:
        raise UsageError(
            f"unknown country {iso3_or_name!r} in base year {int(frame['base_year'].iloc[0])}; "
            "give an ISO3 code (e.g. MMR) or the table's name (e.g. 'Burma/Myanmar')"
        )
    return match[0]


def design_frame(table: RiskTable) -> pd.DataFrame:
    """The table plus engineered features: what every model reads its columns from."""
    from vigil.risk.features import add_features

    return add_features(table.frame)


def check_base_year(table: RiskTable, base_year: int) -> None:
    """Refuse base years without predictors or without enough labelled history."""
    low = table.first_year + 10
    if low > table.last_year:
        raise UsageError(
            f"the table {table.source} covers {table.first_year}–{table.last_year}: a forecast "
            "needs at least 11 years (10 of labelled history before the base year)"
        )
    if not low <= base_year <= table.last_year:
        raise UsageError(
            f"base year {base_year} is out of range: the table {table.source} supports "
            f"{low}–{table.last_year}"
        )


def forecast(
    table: RiskTable,
    model: str | None = None,
    base_year: int | None = None,
    *,
    seed: int,
    design: pd.DataFrame | None = None,
) -> Forecast:
    """Fit ``model`` on rows with year ≤ base_year − 2 and forecast from base-year predictors."""
    name = model or default_model()
    spec = get_model(name)
    year = table.last_year if base_year is None else int(base_year)
    check_base_year(table, year)
    design = design_frame(table) if design is None else design
    train = design[(design["year"] <= year - 2) & table.label_known]
    estimator = spec.make(seed).fit(train, train[TARGET].to_numpy())
    current = design[design["year"] == year]
    probability = estimator.predict_proba(current)[:, 1]
    frame = _ranked(current, name, year, probability)
    provenance = Provenance(
        data_source=table.source,
        data_sha256=table.sha256,
        model=name,
        parameters={
            "base_year": year,
            "training_years": [int(train["year"].min()), int(train["year"].max())],
            "training_rows": len(train),
            "seed": seed,
            **_learned(estimator),
        },
    )
    return Forecast(frame=frame, provenance=provenance, estimator=estimator, design=current)


def _ranked(rows: pd.DataFrame, model: str, year: int, probability: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "country": rows["country"].to_numpy(),
            "ccode": rows["ccode"].to_numpy(),
            "iso3": rows["iso3"].to_numpy(),
            "base_year": year,
            "model": model,
            "probability": probability,
        }
    )
    frame = frame.sort_values(["probability", "country"], ascending=[False, True])
    frame["rank"] = np.arange(1, len(frame) + 1)
    return frame.reset_index(drop=True)


def _learned(estimator: RiskModel) -> dict[str, Any]:
    """Fitted hyper-parameters worth recording (such as the public model's chosen λ)."""
    from vigil.risk.ewp import EWPModel

    if isinstance(estimator, EWPModel):
        return {"lambda": float(estimator.lambda_), "n_train": float(estimator.n_train_)}
    return {}


@dataclass(frozen=True)
class ForecastPair:
    """This base year's forecast and last year's (None where the table has no earlier year)."""

    current: Forecast
    previous: Forecast | None

    @property
    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """The two ranked frames, as the alert rules compare them."""
        return self.current.frame, None if self.previous is None else self.previous.frame


def cached_forecast(
    table: RiskTable,
    model: str | None = None,
    base_year: int | None = None,
    *,
    seed: int,
    horizon: int = HORIZON,
) -> Forecast:
    """The forecast of ``horizon`` years (:func:`vigil.risk.horizon.forecast_horizon`), fitted
    once per (data hash, model, horizon, base year, seed)."""
    from vigil.risk.horizon import forecast_horizon

    name = model or default_model()
    year = table.last_year if base_year is None else int(base_year)
    key = (table.sha256, name, horizon, year, seed)
    with _cache_lock:
        found = _cache.get(key)
    if found is None:
        found = forecast_horizon(table, name, year, horizon, seed=seed)
        with _cache_lock:
            _cache[key] = found
    return found


def forecast_pair(
    table: RiskTable, model: str | None = None, base_year: int | None = None, *, seed: int
) -> ForecastPair:
    """The forecast of ``base_year`` and of the year before: what "now and last year" means.

    Every interface that compares this year with last (the alert rules, the pages' change
    column) calls this one function, so they all see the same fitted models and seed.
    """
    current = cached_forecast(table, model, base_year, seed=seed)
    year = int(current.frame["base_year"].iloc[0])
    try:
        previous: Forecast | None = cached_forecast(
            table, current.provenance.model, year - 1, seed=seed
        )
    except UsageError:  # no earlier base year in range: rises and entries cannot be judged
        previous = None
    return ForecastPair(current=current, previous=previous)
