"""Structural-risk forecasts (public): ranked two-year onset probabilities per country."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from vigil.api.errors import ERRORS
from vigil.api.pagination import Page, Paging

if TYPE_CHECKING:
    from vigil.risk.forecast import ForecastPair
    from vigil.risk.table import RiskTable

router = APIRouter(prefix="/forecasts", tags=["forecasts"], responses=ERRORS)


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


def forecast_pair(request: Request, model: str | None, base_year: int | None) -> ForecastPair:
    """This year's and last year's forecast of (model, base year) at the application's seed."""
    from vigil.risk.forecast import forecast_pair as pair

    return pair(_table(), model, base_year, seed=request.app.state.settings.seed)


def _cached(
    request: Request, model: str | None, base_year: int | None, horizon: int = 2
) -> tuple[pd.DataFrame, dict[str, Any]]:
    from vigil.risk.forecast import cached_forecast

    result = cached_forecast(
        _table(), model, base_year, horizon=horizon, seed=request.app.state.settings.seed
    )
    return result.frame, result.provenance.to_dict()


@cache
def _table() -> RiskTable:
    """The bundled modelling table, loaded once per process."""
    from vigil.risk.table import load_table

    return load_table()


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
