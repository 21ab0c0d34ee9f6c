"""Fixtures for the structural-risk tests: the bundled table, loaded once."""

from __future__ import annotations

import pytest

from vigil.risk.table import RiskTable, load_table


@pytest.fixture(scope="session")
def table() -> RiskTable:
    return load_table()
