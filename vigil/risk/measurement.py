"""Which predictor values are measured, and which are a coding convention.

UCDP measures battle deaths from 1989; the public table writes 0 for every earlier year, which
reads as "no battle deaths" although nothing was measured. The public model keeps that coding
(parity), but Vigil's explanations say "not measured", and :func:`as_measured` gives Vigil's own
models the honest version: missing where nothing was measured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: Predictors whose value is a coding convention, not a measurement, before a year.
UNMEASURED: dict[str, int] = {"battledeaths.log2": 1989}

#: Engineered change features: prefix → how many years back the change reaches.
SPANS = {"d1": 1, "d3": 3, "d5": 5}


def first_measured(variable: str) -> tuple[str, int] | None:
    """The raw predictor behind ``variable`` and how far back its value reaches, if coded."""
    prefix, _, rest = variable.partition(".")
    if prefix in SPANS and rest in UNMEASURED:
        return rest, SPANS[prefix]
    if variable in UNMEASURED:
        return variable, 0
    return None


def is_unmeasured(variable: str, year: int) -> bool:
    """True when ``variable`` at ``year`` rests on a coded, unmeasured value."""
    found = first_measured(variable)
    if found is None:
        return False
    raw, span = found
    return year - span < UNMEASURED[raw]


def as_measured(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the table with coded, unmeasured values set to missing."""
    import numpy as np

    out = frame.copy()
    for column, year in UNMEASURED.items():
        if column in out.columns:
            out[column] = out[column].where(out["year"] >= year, np.nan)
    return out
