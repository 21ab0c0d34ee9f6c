"""Gleditsch-Ward (as UCDP uses it), FIPS 10-4 (as GDELT uses it) and COW codes map to ISO3."""

from __future__ import annotations

import pytest

from vigil.countries import code_tables, cow_for_iso3, iso3_for_fips, iso3_for_gw


@pytest.mark.parametrize(
    ("gwno", "iso3"),
    [
        (652, "SYR"),
        (678, "YEM"),
        (345, "SRB"),
        (816, "VNM"),
        (811, "KHM"),
        (490, "COD"),
        (347, "XKX"),
    ],
)
def test_ucdp_gleditsch_ward_numbers_map_to_iso3(gwno: int, iso3: str) -> None:
    assert iso3_for_gw(gwno) == iso3


@pytest.mark.parametrize(
    ("fips", "iso3"),
    [
        ("RP", "PHL"),
        ("SU", "SDN"),
        ("OD", "SSD"),
        ("AS", "AUS"),
        ("GM", "DEU"),
        ("GZ", "PSE"),
        ("sy", "SYR"),
    ],
)
def test_fips_10_4_codes_map_to_iso3(fips: str, iso3: str) -> None:
    assert iso3_for_fips(fips) == iso3


def test_unknown_codes_map_to_none() -> None:
    assert iso3_for_gw(9999) is None
    assert iso3_for_fips("QQ") is None


def test_cow_numbers_and_table_sizes() -> None:
    assert cow_for_iso3("SYR") == 652
    tables = code_tables()
    assert len(tables.fips) > 240 and len(tables.gw) > 170
