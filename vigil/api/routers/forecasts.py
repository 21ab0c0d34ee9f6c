"""Structural-risk forecasts (public): ranked two-year onset probabilities per country."""

from __future__ import annotations

import threading
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from vigil.api.errors import ERRORS
from vigil.api.pagination import Page, Paging

router = APIRouter(prefix="/forecasts", tags=["forecasts"], responses=ERRORS)
_lock = threading.Lock()


class ForecastRow(BaseModel):
    country: str
    ccode: int
    iso3: str | None
    base_year: int
    model: str
    probability: float
    rank: int


class ForecastPage(Page[ForecastRow]):
    provenance: dict[str, Any]


def cached_forecast(request: Request, model: str | None, base_year: int | None) -> pd.DataFrame:
    """The forecast frame for (model, base year), computed once per application."""
    frame, _ = _cached(request, model, base_year)
    return frame


def _cached(
    request: Request, model: str | None, base_year: int | None, horizon: int = 2
) -> tuple[pd.DataFrame, dict[str, Any]]:
    from vigil.risk.horizon import forecast_horizon
    from vigil.risk.table import load_table

    cache: dict[Any, Any] = request.app.state.forecast_cache
    key = (model, base_year) if horizon == 2 else (model, base_year, horizon)
    with _lock:
        if key not in cache:
            if "table" not in cache:
                cache["table"] = load_table()
            seed = request.app.state.settings.seed
            result = forecast_horizon(cache["table"], model, base_year, horizon, seed=seed)
            cache[key] = (result.frame, result.provenance.to_dict())
        return cache[key]


@router.get("", response_model=ForecastPage)
def list_forecasts(
    request: Request,
    page: Paging,
    model: Annotated[
        str | None, Query(max_length=60, description="Model name (default ewp).")
    ] = None,
    base_year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
    iso3: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None,
    horizon: Annotated[
        int, Query(ge=1, le=2, description="1: onset next year; 2: within two years.")
    ] = 2,
) -> ForecastPage:
    """Countries ranked by forecast probability, with the forecast's provenance."""
    frame, provenance = _cached(request, model, base_year, horizon)
    if iso3:
        frame = frame[frame["iso3"].fillna("").str.upper() == iso3.upper()]
    rows: list[Any]
    window = frame.sort_values("rank").iloc[page.offset : page.offset + page.limit]
    rows = list(window.itertuples(index=False))
    items = [
        ForecastRow(
            country=str(r.country),
            ccode=int(r.ccode),
            iso3=None if pd.isna(r.iso3) else str(r.iso3),
            base_year=int(r.base_year),
            model=str(r.model),
            probability=float(r.probability),
            rank=int(r.rank),
        )
        for r in rows
    ]
    return ForecastPage(
        items=items, total=len(frame), limit=page.limit, offset=page.offset, provenance=provenance
    )
