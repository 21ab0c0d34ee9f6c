"""Rebuilding the country-year table from its raw sources reproduces the published table."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.data import EWP_TABLE, bundled
from vigil.errors import DataError
from vigil.risk.rebuild import RebuiltTable, rebuild, write_table
from vigil.risk.rebuild.diff import diff_tables, read_table
from vigil.risk.rebuild.format import format_number, to_csv
from vigil.risk.rebuild.raw import clean_hief, clean_ucdp
from vigil.risk.rebuild.sources import KNOWN_HASHES, SourceDir, read_bytes
from vigil.risk.rebuild.vdem import VDEM_COLUMNS, format_vdem, read_rdata

SOURCES = bundled("ewp/rebuild")
EXPECTED = Path(__file__).parent.parent / "fixtures" / "ewp-rebuild-expected-differences.csv"
SHARED = Path("/work/shared/data/ewp-2025")


@pytest.fixture(scope="module")
def rebuilt() -> RebuiltTable:
    return rebuild(SOURCES)


@pytest.fixture(scope="module")
def published_text() -> pd.DataFrame:
    raw = gzip.decompress(bundled(EWP_TABLE).read_bytes())
    return pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)


def test_same_country_years_and_columns(rebuilt: RebuiltTable, published_text) -> None:
    frame = rebuilt.frame
    assert list(frame.columns) == list(published_text.columns)
    assert len(frame) == len(published_text) == 9463
    keys = frame[["ccode", "year"]].astype(str).agg("-".join, axis=1)
    assert keys.tolist() == published_text[["ccode", "year"]].agg("-".join, axis=1).tolist()


def test_every_cell_within_tolerance(rebuilt: RebuiltTable, published_text) -> None:
    for column in published_text.columns.drop("ewp_name"):
        published = pd.to_numeric(published_text[column].replace("", np.nan))
        mine = rebuilt.frame[column].astype(float)
        assert (published.isna() == mine.isna()).all(), column
        assert np.nanmax(np.abs(published - mine)) <= 1e-9, column
    assert (rebuilt.frame["ewp_name"] == published_text["ewp_name"]).all()


def test_text_identical_except_the_listed_cells(rebuilt: RebuiltTable, published_text) -> None:
    """Written as ``fwrite`` writes, every cell is identical but the explained ones."""
    mine = pd.read_csv(io.StringIO(to_csv(rebuilt.frame)), dtype=str, keep_default_na=False)
    found = []
    for column in published_text.columns:
        for i in np.flatnonzero((mine[column] != published_text[column]).to_numpy()):
            found.append((published_text.at[i, "ccode"], published_text.at[i, "year"], column,
                          published_text.at[i, column], mine.at[i, column]))  # fmt: skip
    expected = pd.read_csv(EXPECTED, dtype=str)
    assert expected["reason"].str.len().gt(20).all()
    listed = list(expected[["ccode", "year", "column", "published", "rebuilt"]].itertuples(
        index=False, name=None))  # fmt: skip
    assert sorted(found) == sorted(listed)
    assert set(expected["column"]) == {"popsize.log2", "gdppcgrowth"}
    assert 0 < len(found) < 400


def test_provenance_names_every_source_with_hash_and_release(tmp_path: Path, rebuilt) -> None:
    out = tmp_path / "table.csv.gz"
    record = write_table(rebuilt, out)
    stored = json.loads((tmp_path / "table.csv.gz.provenance.json").read_text())
    assert stored["data_sha256"] == hashlib.sha256(gzip.decompress(out.read_bytes())).hexdigest()
    assert stored == json.loads(json.dumps(record))
    by_key = {s["key"]: s for s in stored["sources"]}
    assert by_key["BattleDeaths"]["release"] == "UCDP BRD v25.1"
    assert by_key["vdem"]["release"].startswith("V-Dem v15")
    for key, source in by_key.items():
        assert source["sha256"] == KNOWN_HASHES[key], key
        assert source["rows"] > 0
    assert stored["unmeasured"]["battledeaths.log2"] == {
        "before": 1989, "coded_as": 0, "treat_as": "missing"}  # fmt: skip
    assert read_table(out).shape == (9463, 45)


def test_raw_ucdp_and_hief_reproduce_the_cleaned_copies(rebuilt: RebuiltTable) -> None:
    countries = set(rebuilt.full["country"])
    ucdp = pd.read_csv(SOURCES / "BattleDeaths_v25_1.csv.gz")
    mine = clean_ucdp(ucdp, countries, "ucdp").sort_values(["country", "year"])
    theirs = pd.read_csv(SOURCES / "battledeaths.csv.gz").sort_values(["country", "year"])
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), theirs.reset_index(drop=True),
                                  check_dtype=False)  # fmt: skip
    hief = clean_hief(pd.read_csv(SOURCES / "HIEF_data.csv.gz"))
    cleaned = pd.read_csv(SOURCES / "hief_clean.csv.gz")
    pd.testing.assert_frame_equal(hief.reset_index(drop=True), cleaned, check_dtype=False)


def test_unknown_ucdp_location_names_the_row(rebuilt: RebuiltTable) -> None:
    ucdp = pd.read_csv(SOURCES / "BattleDeaths_v25_1.csv.gz").head(5).copy()
    ucdp.at[3, "location_inc"] = "Atlantis"
    ucdp.at[3, "type_of_conflict"] = 3
    with pytest.raises(DataError, match=r"Atlantis.*row 5"):
        clean_ucdp(ucdp, set(rebuilt.full["country"]), "ucdp.csv")


def _copy_sources(tmp_path: Path) -> Path:
    target = tmp_path / "sources"
    shutil.copytree(SOURCES, target, ignore=shutil.ignore_patterns("*.md", "__*"))
    return target


def test_a_new_ucdp_release_drops_in_and_the_diff_names_the_change(tmp_path: Path) -> None:
    """Replace UCDP v25.1 by an edited 'v26.1': only the edited country-year moves."""
    sources = _copy_sources(tmp_path)
    ucdp = pd.read_csv(SOURCES / "BattleDeaths_v25_1.csv.gz")
    row = ucdp.index[(ucdp["location_inc"] == "Mali") & (ucdp["year"] == 2012)][0]
    ucdp["bd_best"] = ucdp["bd_best"].where(ucdp.index != row, ucdp["bd_best"] + 1000)
    ucdp["version"] = "26.1"
    (sources / "BattleDeaths_v25_1.csv.gz").unlink()
    ucdp.to_csv(sources / "BattleDeaths_v26_1.csv", index=False)
    new = rebuild(sources)
    assert {s.key: s.release for s in new.sources}["BattleDeaths"] == "UCDP BRD v26.1"
    result = diff_tables(rebuild(SOURCES).frame, new.frame)
    assert result.added.empty and result.removed.empty
    assert result.changes[["country", "year", "column"]].values.tolist() == [
        ["Mali", 2012, "battledeaths.log2"]]  # fmt: skip
    before, after = (float(result.changes.iloc[0][side]) for side in ("old", "new"))
    assert 2**after - 2**before == pytest.approx(1000)
    assert "battledeaths.log2" in result.text()


def test_through_cuts_the_table_and_later_years_are_refused() -> None:
    shorter = rebuild(SOURCES, through=2020)
    assert shorter.frame["year"].max() == 2020
    assert shorter.frame["mk_onset_1"][shorter.frame["year"] == 2020].isna().all()
    with pytest.raises(DataError, match="ends in 2024"):
        rebuild(SOURCES, through=2030)


def test_missing_or_empty_source_is_an_error(tmp_path: Path) -> None:
    sources = _copy_sources(tmp_path)
    (sources / "wdi.csv.gz").unlink()
    with pytest.raises(DataError, match=r"wdi\.csv.*missing"):
        rebuild(sources)
    (sources / "wdi.csv").write_text("ccode,year,wdi.popsize.new\n")
    with pytest.raises(DataError, match="no data rows"):
        rebuild(sources)


def test_duplicate_key_in_a_source_is_refused(tmp_path: Path) -> None:
    sources = _copy_sources(tmp_path)
    epr = pd.read_csv(sources / "epr-clean.csv.gz")
    pd.concat([epr, epr.head(1)]).to_csv(sources / "epr-clean.csv.gz", index=False)
    with pytest.raises(DataError, match="EPR: two rows"):
        rebuild(sources)


def test_compressed_and_plain_copies_hash_alike(tmp_path: Path) -> None:
    plain = tmp_path / "wdi.csv"
    plain.write_bytes(read_bytes(SOURCES / "wdi.csv.gz"))
    assert hashlib.sha256(plain.read_bytes()).hexdigest() == KNOWN_HASHES["wdi"]


@pytest.mark.skipif(not SHARED.is_dir(), reason="the full public inputs are not on this machine")
def test_full_public_inputs_rebuild_the_published_file(tmp_path: Path) -> None:
    """From the public repository's own input folder, numbers equal the published file."""
    table = rebuild(SHARED / "rebuild" / "input")
    write_table(table, tmp_path / "rebuilt.csv")
    published = read_table(SHARED / "prepared2024predictors-2025-09-03.csv")
    result = diff_tables(published, table.frame)
    assert result.identical
    assert result.compared_cells == 9463 * 42
    listed = pd.read_csv(EXPECTED)
    loose = diff_tables(published, read_table(tmp_path / "rebuilt.csv"), tolerance=0)
    assert len(loose.changes) == len(listed)


def _vdem_release(sources: Path) -> pd.DataFrame:
    """A full-release-shaped V-Dem file carrying the extract's values (ordinals where the
    extract keeps only the indicator are set to a level that codes the same)."""
    extract = read_rdata(SourceDir(sources), "vdem")
    release = pd.DataFrame({
        "COWcode": extract["COWcode"], "year": extract["year"],
        "v2psparban_ord": extract["partyban"], "v2jureform_ord": extract["judicialreform"],
        "v2clrelig_ord": extract["religiousfreedom"], "v2xcl_disc": extract["freediscussion"],
        "v2pepwrses": extract["ses_power_dist"],
        "v2clkill_ord": 2 - 2 * extract["pol_killing_approved"],
        "v2clsocgrp_ord": 2 - 2 * extract["social_inequality"],
        "v2clrgunev_ord": 2 * extract["even_civilrights"],
        "e_mipopula": extract["vdem_popsize"] / 10**3,
        "v2csreprss_ord": extract["v2csreprss_ord"], "v2pepwrsoc_ord": extract["v2pepwrsoc_ord"],
        "v2csgender_ord": extract["v2csgender_ord"], "v2mecenefm_ord": extract["v2mecenefm_ord"],
    })  # fmt: skip
    return release


def test_a_full_v_dem_release_drops_in_and_rebuilds_the_same_table(
    tmp_path: Path, rebuilt: RebuiltTable
) -> None:
    sources = _copy_sources(tmp_path)
    _vdem_release(sources).to_csv(sources / "V-Dem-CY-Full+Others-v15.csv", index=False)
    (sources / "vdem.Rdata").unlink()
    table = rebuild(sources)
    assert {s.key: s.release for s in table.sources}["V-Dem-CY"] == "V-Dem-CY-Full+Others-v15"
    result = diff_tables(rebuilt.frame, table.frame)
    assert result.identical, result.text()


def test_format_vdem_codes_as_the_formatted_extract() -> None:
    extract = read_rdata(SourceDir(SOURCES), "vdem")
    formatted = format_vdem(_vdem_release(SOURCES), 2024).reset_index(drop=True)
    for column in VDEM_COLUMNS:
        if column == "repress_civilsoc":
            expected = (extract["v2csreprss_ord"] == 0).astype(float)
        else:
            expected = extract[column]
        pd.testing.assert_series_equal(formatted[column], expected.reset_index(drop=True),
                                       check_names=False, check_dtype=False)  # fmt: skip


def test_numbers_are_written_as_r_fwrite_writes_them() -> None:
    """5,000 numbers of every magnitude, written by data.table::fwrite (R 4.2, data.table 1.14)."""
    path = EXPECTED.parent / "fwrite-numbers.csv.gz"
    rows = pd.read_csv(path, dtype=str)
    mine = [format_number(float(v)) for v in rows["value"]]
    assert mine == rows["fwrite"].tolist()


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_written_numbers_read_back_to_15_significant_digits(value: float) -> None:
    text = format_number(value)
    assert float(text) == pytest.approx(value, rel=1e-14, abs=1e-300)
    assert len(text.lstrip("-").replace(".", "").split("e")[0].lstrip("0")) <= 15


def test_every_source_row_is_accounted_for(rebuilt: RebuiltTable) -> None:
    """Each merge reports matched, keyless and unmatched rows; together they are all rows."""
    assert len(rebuilt.ledger) == 11
    for name, entry in rebuilt.ledger.items():
        assert entry["matched"] + entry["without_key"] + entry["unmatched"] == entry["rows"], name
    battle = rebuilt.ledger["battle deaths"]
    assert battle["unmatched"] == 6 and "Djibouti 1991" in battle["unmatched_examples"]
