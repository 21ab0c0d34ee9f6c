"""Population, economic growth and infant mortality: WDI, Maddison and UN WPP.

WDI is the primary source; where it is missing, a straight-line regression of the WDI variable on
the Maddison proxy (fitted on every country-year that has both) fills the gap, and growth is then
carried forward within the country, as the public build does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vigil.risk.rebuild.ops import fill_forward, join, log2, shift_within
from vigil.risk.rebuild.sources import SourceDir, require_columns

WDI_COLUMNS = ("ccode", "year", "wdi.popsize.new", "wdi.gdppcgrow.new", "wdi.trade.new")


def merge_wdi(dat: pd.DataFrame, sources: SourceDir) -> pd.DataFrame:
    """World Bank population, GDP per capita growth and trade share, by COW code and year."""
    wdi = sources.csv("wdi")
    require_columns(wdi, WDI_COLUMNS, sources.read["wdi"].path)
    wdi = wdi.drop(columns=[c for c in ("country", "iso2c", "iso3c") if c in wdi.columns])
    dat = join(dat, wdi, ["ccode", "year"], "WDI", sources.ledger)
    with np.errstate(divide="ignore"):
        dat["wdi.popsize.log2"] = log2(dat["wdi.popsize.new"])
        dat["wdi.trade.new.log2"] = log2(dat["wdi.trade.new"])
    return dat


def merge_maddison(dat: pd.DataFrame, sources: SourceDir) -> pd.DataFrame:
    """Maddison GDP per capita and population, and the growth and log population they imply."""
    mad = sources.csv("maddison")
    require_columns(mad, ("ccode", "year", "mad_gdppc", "mad_pop"), sources.read["maddison"].path)
    dat = join(
        dat,
        mad[["ccode", "year", "mad_gdppc", "mad_pop"]],
        ["ccode", "year"],
        "Maddison",
        sources.ledger,
    )
    previous = shift_within(dat, "mad_gdppc", 1)
    dat["mad_gdppcgrowth"] = (dat["mad_gdppc"] - previous) / previous * 100
    dat["mad_popsize.log2"] = log2(dat["mad_pop"])
    return dat


def merge_infant_mortality(dat: pd.DataFrame, sources: SourceDir) -> pd.DataFrame:
    """UN WPP infant mortality per 1,000 live births and its square root."""
    imr = sources.csv("un_imr_clean")
    require_columns(imr, ("ccode", "year", "un_imr"), sources.read["un_imr_clean"].path)
    dat = join(
        dat,
        imr[["ccode", "year", "un_imr"]],
        ["ccode", "year"],
        "UN infant mortality",
        sources.ledger,
    )
    dat["un_imr_sqrt"] = np.sqrt(dat["un_imr"])
    return dat


def proxy_fill(dat: pd.DataFrame, primary: str, proxy: str) -> pd.Series:
    """``primary``, with gaps filled by its least-squares line on ``proxy`` where that is known."""
    both = dat[primary].notna() & dat[proxy].notna()
    x = dat.loc[both, proxy].to_numpy(float)
    design = np.column_stack([np.ones_like(x), x])
    q, r = np.linalg.qr(design)
    intercept, slope = np.linalg.solve(r, q.T @ dat.loc[both, primary].to_numpy(float))
    gap = dat[primary].isna() & dat[proxy].notna()
    filled = dat[primary].copy()
    filled[gap] = intercept + slope * dat.loc[gap, proxy]
    return filled


def combine(dat: pd.DataFrame) -> pd.DataFrame:
    """``popsize.log2`` and ``gdppcgrowth``: WDI, else the Maddison line; growth carried forward."""
    dat = dat.sort_values(["country", "year"]).reset_index(drop=True)
    dat["popsize.log2"] = proxy_fill(dat, "wdi.popsize.log2", "mad_popsize.log2")
    dat["gdppcgrowth"] = proxy_fill(dat, "wdi.gdppcgrow.new", "mad_gdppcgrowth")
    dat["gdppcgrowth"] = fill_forward(dat, "gdppcgrowth")
    return dat
