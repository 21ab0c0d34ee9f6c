"""The modelling table: validation, identity and content hash."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigil.data import EWP_TABLE, bundled
from vigil.errors import DataError, UnknownCountryError
from vigil.risk.table import EWP_PREDICTORS, RiskTable, load_table

PUBLISHED_SHA256 = "92ade125d6e2d41742d373169c81a14bd623f48b4d865c72433f5f0296bf1780"


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The bundled table as plain strings, for making broken copies (recent years only)."""
    with gzip.open(bundled(EWP_TABLE), "rt") as stream:
        frame = pd.read_csv(stream, dtype=str, keep_default_na=False)
    return frame[frame["year"].astype(int) >= 2020].reset_index(drop=True)


def write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def test_the_bundled_table_is_the_published_file(table: RiskTable) -> None:
    assert table.sha256 == PUBLISHED_SHA256
    assert len(table.frame) == 9463
    assert table.frame.groupby(["ccode", "year"]).size().max() == 1
    assert set(EWP_PREDICTORS) <= set(table.frame.columns)


def test_every_modern_country_gets_an_iso3(table: RiskTable) -> None:
    recent = table.frame[table.frame["year"] >= 1993]
    assert recent["iso3"].notna().all()
    myanmar = recent[recent["country"] == "Burma/Myanmar"]
    assert set(myanmar["iso3"]) == {"MMR"}


def test_the_last_two_years_have_no_known_outcome(table: RiskTable) -> None:
    assert table.last_year == 2024
    assert not table.label_known[table.frame["year"] >= 2023].any()
    assert table.training_rows(2024)["year"].max() == 2022


def test_a_user_table_of_the_same_shape_loads(raw: pd.DataFrame, tmp_path: Path) -> None:
    loaded = load_table(write(raw, tmp_path / "mine.csv"))
    assert len(loaded.frame) == len(raw)
    assert loaded.source.endswith("mine.csv")


def test_a_missing_column_is_named(raw: pd.DataFrame, tmp_path: Path) -> None:
    path = write(raw.drop(columns=["efindex"]), tmp_path / "t.csv")
    with pytest.raises(DataError, match="efindex") as caught:
        load_table(path)
    assert caught.value.column == "efindex" and str(path) in str(caught.value)


def test_a_misspelt_column_gets_a_hint(raw: pd.DataFrame, tmp_path: Path) -> None:
    path = write(raw.rename(columns={"discrimpop": "discrim_pop"}), tmp_path / "t.csv")
    with pytest.raises(DataError, match=r"discrim_pop.*misspelt"):
        load_table(path)


def test_a_non_numeric_value_names_its_row_and_column(raw: pd.DataFrame, tmp_path: Path) -> None:
    broken = raw.copy()
    broken.loc[7, "gdppcgrowth"] = "n/a-ish"
    with pytest.raises(DataError) as caught:
        load_table(write(broken, tmp_path / "t.csv"))
    assert (caught.value.row, caught.value.column) == (9, "gdppcgrowth")
    assert "n/a-ish" in str(caught.value)


def test_a_duplicated_country_year_is_refused(raw: pd.DataFrame, tmp_path: Path) -> None:
    broken = pd.concat([raw, raw.iloc[[3]]], ignore_index=True)
    with pytest.raises(DataError, match="duplicated country-year") as caught:
        load_table(write(broken, tmp_path / "t.csv"))
    assert caught.value.row == len(broken) + 1


def test_an_unknown_country_is_refused(raw: pd.DataFrame, tmp_path: Path) -> None:
    broken = raw.copy()
    broken.loc[broken["ewp_name"] == "Chad", "ewp_name"] = "Atlantis"
    with pytest.raises(UnknownCountryError, match="Atlantis") as caught:
        load_table(write(broken, tmp_path / "t.csv"))
    assert caught.value.column == "ewp_name"
    assert raw.loc[caught.value.row - 2, "ewp_name"] == "Chad"


@pytest.mark.parametrize(
    "index, column, value, message",
    [
        (0, "mk_ever", "2", "expected 0 or 1"),
        (4, "mk_onset_1or2", "", "missing value"),
        (3, "freediscussion", "1.5", "expected 0 to 1"),  # bounds from the predictor registry
        (1, "religiousfreedom", "-1", "expected 0 to 4"),
    ],
)
def test_a_bad_value_is_refused_naming_its_row_and_column(
    raw: pd.DataFrame, tmp_path: Path, index: int, column: str, value: str, message: str
) -> None:
    broken = raw.copy()
    broken.loc[index, column] = value
    with pytest.raises(DataError, match=message) as caught:
        load_table(write(broken, tmp_path / "t.csv"))
    assert (caught.value.row, caught.value.column) == (index + 2, column)


@pytest.mark.parametrize("content", [b"", b"\x1f\x8b not gzip", b"a,b\n1,2,3,4\n"])
def test_an_unreadable_file_is_a_data_error(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=str(path)):
        load_table(path)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    row=st.integers(min_value=0, max_value=100),
    column=st.sampled_from([c for c in EWP_PREDICTORS if c != "year"]),
    junk=st.text(alphabet="abcxyz#?!", min_size=1, max_size=6),
)
def test_any_junk_cell_is_reported_at_its_own_row_and_column(
    raw: pd.DataFrame, tmp_path: Path, row: int, column: str, junk: str
) -> None:
    broken = raw.copy()
    broken.loc[row, column] = junk
    with pytest.raises(DataError) as caught:
        load_table(write(broken, tmp_path / "junk.csv"))
    assert (caught.value.row, caught.value.column) == (row + 2, column)
