"""Society and standing: ethnic fractionalisation, discriminated population, region, ICCPR.

Each series is merged, then gaps are closed the public project's way: carried forward and back
within the country, and a fixed value for countries the source does not cover.
"""

from __future__ import annotations

import pandas as pd

from vigil.risk.rebuild.ops import fill_backward, fill_forward, join
from vigil.risk.rebuild.raw import clean_hief
from vigil.risk.rebuild.sources import SourceDir, require_columns

#: Static fractionalisation where HIEF has no series (Alesina et al. 2003; 2012 for a few).
EFINDEX_FIXED = {
    "Cameroon": 0.86, "Equatorial Guinea": 0.35, "France": 0.1, "India": 0.42,
    "Montenegro": 0.7, "Mozambique": 0.69, "Papua New Guinea": 0.27, "South Sudan": 0.73,
    "Surinam": 0.73, "Kosovo": 0.22, "Maldives": 0.059, "Malta": 0.04, "Luxembourg": 0.53,
}  # fmt: skip

REGIONS = ("reg.na", "reg.eap", "reg.sca", "reg.mna", "reg.eur")


def load_hief(sources: SourceDir) -> pd.DataFrame:
    """HIEF by the table's country names: the raw release cleaned, else the cleaned copy."""
    if sources.find("HIEF_data") is not None:
        return clean_hief(sources.csv("HIEF_data"))
    hief = sources.csv("hief_clean")
    require_columns(hief, ("Country", "Year", "efindex"), sources.read["hief_clean"].path)
    return hief


def merge_efindex(dat: pd.DataFrame, sources: SourceDir) -> pd.DataFrame:
    """Ethnic fractionalisation: HIEF by name and year, filled within country, then fixed values."""
    hief = load_hief(sources).rename(columns={"Country": "country", "Year": "year"})
    dat = join(
        dat, hief[["country", "year", "efindex"]], ["country", "year"], "HIEF", sources.ledger
    )
    dat["efindex"] = fill_forward(dat, "efindex")
    dat["efindex"] = fill_backward(dat, "efindex")
    for country, value in EFINDEX_FIXED.items():
        dat.loc[dat["country"] == country, "efindex"] = value
    return dat


def merge_discrimpop(dat: pd.DataFrame, sources: SourceDir) -> pd.DataFrame:
    """Share of the population in politically discriminated groups (EPR), filled within country."""
    epr = sources.csv("epr-clean")
    require_columns(epr, ("ccode", "year", "discrimpop"), sources.read["epr-clean"].path)
    dat = join(dat, epr[["ccode", "year", "discrimpop"]], ["ccode", "year"], "EPR", sources.ledger)
    dat["discrimpop"] = fill_forward(dat, "discrimpop")
    dat["discrimpop"] = fill_backward(dat, "discrimpop")
    return dat


def merge_regions(dat: pd.DataFrame, sources: SourceDir) -> pd.DataFrame:
    """Region dummies carried forward; Cape Verde is sub-Saharan Africa (the reference)."""
    regions = sources.csv("reg-data")
    require_columns(regions, ("ccode", "year", *REGIONS), sources.read["reg-data"].path)
    dat = join(
        dat, regions[["ccode", "year", *REGIONS]], ["ccode", "year"], "regions", sources.ledger
    )
    for column in REGIONS:
        dat[column] = fill_forward(dat, column)
        dat.loc[dat["country"] == "Cape Verde", column] = 0
    return dat


def merge_iccpr(dat: pd.DataFrame, sources: SourceDir) -> pd.DataFrame:
    """ICCPR ratification; Cape Verde ratified in 2000; carried forward."""
    iccpr = sources.csv("iccpr-data")
    require_columns(iccpr, ("ccode", "year", "ios.iccpr1"), sources.read["iccpr-data"].path)
    dat = join(
        dat, iccpr[["ccode", "year", "ios.iccpr1"]], ["ccode", "year"], "ICCPR", sources.ledger
    )
    cape_verde = (dat["country"] == "Cape Verde") & (dat["year"] >= 2000)
    dat.loc[cape_verde, "ios.iccpr1"] = 1
    dat["ios.iccpr1"] = fill_forward(dat, "ios.iccpr1")
    return dat
