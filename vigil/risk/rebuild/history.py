"""The base country-year table and what the project derives from it: history, age, outcomes.

The base table (one row per country-year from 1934, with the mass-killing coding) fixes which
country-years exist; every other source is merged onto it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vigil.errors import DataError
from vigil.risk.rebuild.ops import log2, shift_within
from vigil.risk.rebuild.sources import SourceDir, require_columns

BASE_COLUMNS = (
    "year", "country", "ccode", "datastartyear", "independence_year", "mk_ongoing_count",
    "mk_location_ever", "mk_responsible_ever", "mk_onset", "widetargeting", "narrowtargeting",
    "ewp_name",
)  # fmt: skip

#: First year of the running onset mean.
HISTORY_START = 1960


def load_base(sources: SourceDir, through: int | None) -> pd.DataFrame:
    """The base table up to ``through``; one country name per COW code and one row per year."""
    stem = base_stem(sources)
    base = sources.csv(stem)
    path = sources.read[stem].path
    require_columns(base, BASE_COLUMNS, path)
    if through is not None:
        base = base[base["year"] <= through]
    pairs = base[["ccode", "country"]].drop_duplicates()
    if pairs["ccode"].duplicated().any() or pairs["country"].duplicated().any():
        raise DataError("a COW code with two country names (or the reverse)", path=path)
    if base.duplicated(["ccode", "year"]).any():
        raise DataError("two rows for one country-year", path=path)
    return base.astype({"ccode": "int64", "year": "int64"}).reset_index(drop=True)


def base_stem(sources: SourceDir) -> str:
    """The base table's file stem (``basedata<edition>_<date>``), the newest if several."""
    found = sources.find_glob("basedata*.csv*")
    if found is None:
        raise DataError(
            "no base table basedata*.csv in the source directory", path=str(sources.root)
        )
    return found.name.split(".csv")[0]


def add_history(dat: pd.DataFrame) -> pd.DataFrame:
    """Statehood, time, running onset history, previous and next years' onsets."""
    dat["includesnonstate"] = (dat["year"] >= 1989).astype(float)
    dat["year_sq"] = dat["year"].astype(float) ** 2
    dat["countryage_new"] = dat["year"] - dat["independence_year"]
    dat["countryage.new.log2"] = log2(dat["countryage_new"] + 1)
    dat = dat.sort_values(["country", "year"]).reset_index(drop=True)
    cumulative = dat.groupby("ccode")["mk_onset"].cumsum()
    early = dat["datastartyear"] <= HISTORY_START
    years = np.where(early, dat["year"] - HISTORY_START + 1, dat["year"] - dat["datastartyear"] + 1)
    mean = np.where(years >= 1, cumulative / np.where(years >= 1, years, 1), 0.0)
    dat["mean_mk_onset_interaction"] = mean * years
    dat["newcountry"] = (dat["countryage_new"] <= 2).astype(float)
    dat["mk_onset_1"] = shift_within(dat, "mk_onset", -1)
    dat["mk_onset_2"] = shift_within(dat, "mk_onset", -2)
    previous = shift_within(dat, "mk_onset", 1)
    dat["mk_onset_prev_year"] = previous.where(dat["year"] != dat["datastartyear"], 0)
    dat["mk_onset_1or2"] = ((dat["mk_onset_1"] == 1) | (dat["mk_onset_2"] == 1)).astype(float)
    ever = (dat["mk_responsible_ever"] == 1) | (dat["mk_location_ever"] == 1)
    dat["mk_ever"] = ever.astype(float).where(
        dat[["mk_responsible_ever", "mk_location_ever"]].notna().all(axis=1) | ever
    )
    dat["mk_ongoing_count_log2"] = log2(dat["mk_ongoing_count"] + 1)
    return dat
