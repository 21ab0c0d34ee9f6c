"""Armed conflict and coups: UCDP battle deaths and coup attempts in the last five years.

UCDP measures battle deaths from 1989. The public coding writes 0 for every country-year without a
UCDP record, so years before 1989 read as "no battle deaths" although nothing was measured; the
build keeps that coding for parity and records the unmeasured span in the provenance
(:data:`vigil.risk.measurement.UNMEASURED`), so Vigil's own models and explanations can treat it
as missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pandas as pd

from vigil.risk.rebuild.ops import fill_forward, join, log2
from vigil.risk.rebuild.raw import clean_ucdp
from vigil.risk.rebuild.sources import SourceDir, require_columns

#: Countries born of a coup: the coup counts from their first year (not in Powell & Thyne).
COUP_BORN = {"Gabon": 1964, "Djibouti": 2000}


def load_battle_deaths(dat: pd.DataFrame, sources: SourceDir) -> pd.DataFrame:
    """Battle deaths by country name and year: the raw UCDP release if given, else the cleaned."""
    raw = sources.find_glob("BattleDeaths_v*.csv*")
    if raw is not None:
        stem = "BattleDeaths"
        ucdp = sources.csv(stem, raw, release="pending")
        version: list[str] = (
            ucdp["version"].dropna().astype(str).unique().tolist() if "version" in ucdp else []
        )
        sources.read[stem] = replace(sources.read[stem], release=_ucdp_release(version, raw.name))
        return clean_ucdp(ucdp, set(dat["country"]), str(raw))
    bd = sources.csv("battledeaths")
    require_columns(bd, ("country", "year", "battledeaths"), sources.read["battledeaths"].path)
    return bd


def _ucdp_release(versions: Iterable[str], name: str) -> str:
    found = list(versions)
    return f"UCDP BRD v{found[0]}" if len(found) == 1 else f"UCDP BRD ({name})"


def merge_battle_deaths(dat: pd.DataFrame, sources: SourceDir) -> pd.DataFrame:
    """Battle deaths (0 where UCDP has no record) and ``battledeaths.log2`` = log2(deaths + 1)."""
    bd = load_battle_deaths(dat, sources)[["country", "year", "battledeaths"]]
    dat = join(dat, bd, ["country", "year"], "battle deaths", sources.ledger)
    dat["battledeaths"] = dat["battledeaths"].fillna(0)
    dat["battledeaths.log2"] = log2(dat["battledeaths"] + 1)
    return dat


def load_coups(sources: SourceDir) -> pd.DataFrame:
    """Coup attempts by COW code and year: the combined file, else old (1945–49) plus new."""
    if sources.find("all-coups") is not None:
        coups = sources.csv("all-coups")
    else:
        coups = pd.concat([sources.csv("old-coups"), sources.csv("new-coups")])
    require_columns(coups, ("ccode", "year", "cou.any"), "coups")
    return coups[["ccode", "year", "cou.any"]]


def merge_coups(dat: pd.DataFrame, sources: SourceDir) -> pd.DataFrame:
    """``coup.try.5yr``: a coup attempt this year or in the four before."""
    dat = join(dat, load_coups(sources), ["ccode", "year"], "coups", sources.ledger)
    dat["cou.any"] = dat["cou.any"].fillna(0)
    dat["last_coup_yr"] = dat["year"].where(dat["cou.any"] == 1).astype(float)
    for country, year in COUP_BORN.items():
        born = (dat["country"] == country) & dat["year"].between(year, year + 5)
        dat.loc[born, "last_coup_yr"] = year
    last = fill_forward(dat, "last_coup_yr").fillna(-np.inf)
    dat["coup.try.5yr"] = ((dat["year"] - last) <= 4).astype(float)
    return dat.drop(columns=["last_coup_yr", "cou.any"])
