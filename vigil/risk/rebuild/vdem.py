"""V-Dem measures: read the formatted extract (or format a full V-Dem release), fix codes, merge.

The public build keeps a formatted extract of the current V-Dem release (``vdem.Rdata``) and GDP
per capita from V-Dem v11.1 (``vdem11.Rdata``). A newer release drops in as the full V-Dem
country-year CSV (``V-Dem-CY-*.csv``): :func:`format_vdem` derives the same binary indicators.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from vigil.errors import DataError
from vigil.risk.rebuild.ops import join
from vigil.risk.rebuild.sources import SourceDir, read_bytes, require_columns

#: V-Dem columns renamed to the model's names, as the public build does.
RENAMES = {
    "v2psparban_ord": "partyban", "v2jureform_ord": "judicialreform",
    "v2clrelig_ord": "religiousfreedom", "v2xcl_disc": "freediscussion",
    "v2pepwrses": "ses_power_dist", "v2clkill_ord": "pol_killing_approved",
    "v2clsocgrp_ord": "social_inequality", "v2clrgunev_ord": "even_civilrights",
    "e_mipopula": "vdem_popsize",
}  # fmt: skip

#: What the merge takes from the V-Dem extract.
VDEM_COLUMNS = (
    "v2csgender_binary", "v2mecenefm_binary", "partyban.new.0", "partyban.new.1",
    "partyban.new.2", "minorityrule", "judicialreform", "religiousfreedom",
    "pol_killing_approved", "freediscussion", "social_inequality", "even_civilrights",
    "repress_civilsoc", "social_power_dist", "ses_power_dist", "vdem_popsize",
)  # fmt: skip


def read_rdata(sources: SourceDir, stem: str) -> pd.DataFrame:
    """The single data frame of an ``.Rdata`` file (a gzip copy is unpacked first)."""
    import pyreadr

    path = sources.require(stem)
    raw = read_bytes(path)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            plain = Path(tmp) / "data.Rdata"
            plain.write_bytes(raw)
            frames = list(pyreadr.read_r(str(plain)).values())
    except pyreadr.custom_errors.PyreadrError as err:
        raise DataError(f"not a readable R data file: {err}", path=str(path)) from err
    if len(frames) != 1 or frames[0].empty:
        raise DataError("expected one non-empty data frame", path=str(path))
    sources.record(stem, path, raw, len(frames[0]), None)
    frame: pd.DataFrame = frames[0]
    return frame


def _member(values: pd.Series, allowed: tuple[int, ...]) -> pd.Series:
    """1 where the value is one of ``allowed``, else 0 (missing counts as not a member)."""
    return values.isin(allowed).astype(float)


def _equals(values: pd.Series, level: int) -> pd.Series:
    """1 where the value equals ``level``, 0 where not, missing where missing."""
    return (values == level).astype(float).where(values.notna())


def repress_civilsoc(ordinal: pd.Series) -> pd.Series:
    """1 where V-Dem's civil-society repression is at its most severe level (0), else 0.

    This is the coding of ``format_vdem.R`` and of the published 2025 table. The formatted
    extract ``vdem.Rdata`` carries a later coding (levels 0–2 → 1) that the published table does
    not use, so the build derives the indicator from the ordinal itself.
    """
    return _equals(ordinal, 0)


def format_vdem(full: pd.DataFrame, last_year: int) -> pd.DataFrame:
    """Derive the model's V-Dem indicators from a full V-Dem country-year release."""
    require_columns(full, ("COWcode", "year", *RENAMES, "v2csreprss_ord", "v2pepwrsoc_ord",
                           "v2csgender_ord", "v2mecenefm_ord"), "V-Dem release")  # fmt: skip
    dat = full[full["COWcode"].notna() & full["year"].between(1934, last_year)]
    dat = dat.rename(columns=RENAMES).copy()
    dat["vdem_popsize"] = pd.to_numeric(dat["vdem_popsize"]) * 10**3
    for name, level in (("pol_killing_approved", 0), ("social_inequality", 0),
                        ("even_civilrights", 2)):  # fmt: skip
        dat[name] = _equals(dat[name], level)
    dat["repress_civilsoc"] = repress_civilsoc(dat["v2csreprss_ord"])
    dat["social_power_dist"] = _member(dat["v2pepwrsoc_ord"], (0, 1, 2))
    dat["minorityrule"] = _member(dat["v2pepwrsoc_ord"], (0, 1))
    dat["partyban.new.0"] = _member(dat["partyban"], (0, 1))
    dat["partyban.new.1"] = _member(dat["partyban"], (2, 3))
    dat["partyban.new.2"] = _equals(dat["partyban"], 4)
    dat["v2csgender_binary"] = _member(dat["v2csgender_ord"], (0, 1, 2))
    dat["v2mecenefm_binary"] = _member(dat["v2mecenefm_ord"], (0, 1, 2))
    return dat[["COWcode", "year", *VDEM_COLUMNS]]


def load_vdem(sources: SourceDir, last_year: int) -> pd.DataFrame:
    """The current V-Dem measures: a full release when one is given, else the formatted extract."""
    release = sources.find_glob("V-Dem-CY-*.csv*")
    if release is not None:
        full = sources.csv("V-Dem-CY", release, release=release.name.split(".csv")[0])
        return format_vdem(full, last_year)
    frame = read_rdata(sources, "vdem")
    require_columns(frame, ("COWcode", "year", "v2csreprss_ord", *VDEM_COLUMNS),
                    sources.read["vdem"].path)  # fmt: skip
    frame = frame.assign(repress_civilsoc=repress_civilsoc(frame["v2csreprss_ord"]))
    return frame[["COWcode", "year", *VDEM_COLUMNS]]


def fix_codes(vdem: pd.DataFrame) -> pd.DataFrame:
    """West Germany 1949–1990 to 255 (V-Dem: 260); drop South Yemen's 1990 duplicate.

    Rows without a COW code are states outside the COW system; they match no country-year.
    """
    vdem = vdem.dropna(subset=["COWcode"]).copy()
    vdem["COWcode"] = pd.to_numeric(vdem["COWcode"]).astype("int64")
    vdem["year"] = pd.to_numeric(vdem["year"]).astype("int64")
    west = vdem["year"].between(1949, 1990) & (vdem["COWcode"] == 260)
    vdem.loc[west, "COWcode"] = 255
    return vdem[~((vdem["COWcode"] == 680) & (vdem["year"] == 1990))]


def merge_vdem(dat: pd.DataFrame, sources: SourceDir, last_year: int) -> pd.DataFrame:
    """Join the V-Dem measures and V-Dem v11 GDP per capita by COW code and year."""
    vdem = fix_codes(load_vdem(sources, last_year))
    v11 = read_rdata(sources, "vdem11")
    require_columns(v11, ("COWcode", "year", "e_migdppc", "e_migdpgro"), "vdem11")
    v11 = fix_codes(v11[["COWcode", "year", "e_migdppc", "e_migdpgro"]])
    dat = join(
        dat, vdem.rename(columns={"COWcode": "ccode"}), ["ccode", "year"], "V-Dem", sources.ledger
    )
    dat = join(
        dat,
        v11.rename(columns={"COWcode": "ccode"}),
        ["ccode", "year"],
        "V-Dem v11",
        sources.ledger,
    )
    uae = (dat["country"] == "United Arab Emirates") & dat["year"].isin([1991, 1992])
    dat.loc[uae, "e_migdppc"] = np.nan
    return dat
