"""The Framework of Analysis reference data (public)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from vigil.api.errors import ERRORS
from vigil.workspace.framework import load_framework

router = APIRouter(prefix="/framework", tags=["framework"], responses=ERRORS)


class IndicatorOut(BaseModel):
    id: str
    text: str


class FactorOut(BaseModel):
    id: str
    title: str
    description: str
    scope: str
    indicators: list[IndicatorOut]


class FrameworkOut(BaseModel):
    version: str
    source: str
    factors: list[FactorOut]


@router.get("", response_model=FrameworkOut)
def get_framework() -> FrameworkOut:
    """The 14 risk factors and their indicators, with the reference data's version."""
    fw = load_framework()
    return FrameworkOut(
        version=fw.version,
        source=fw.source,
        factors=[
            FactorOut(
                id=f.id,
                title=f.title,
                description=f.description,
                scope=f.scope,
                indicators=[IndicatorOut(id=i.id, text=i.text) for i in f.indicators],
            )
            for f in fw.factors
        ],
    )
