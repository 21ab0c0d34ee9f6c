"""Coded, unmeasured values: battle deaths before 1989."""

from __future__ import annotations

import numpy as np

from vigil.risk.measurement import as_measured, is_unmeasured
from vigil.risk.table import RiskTable


def test_battle_deaths_and_their_changes_before_1989_are_unmeasured() -> None:
    assert is_unmeasured("battledeaths.log2", 1988)
    assert not is_unmeasured("battledeaths.log2", 1989)
    assert is_unmeasured("d3.battledeaths.log2", 1991)
    assert not is_unmeasured("d3.battledeaths.log2", 1992)
    assert not is_unmeasured("gdppcgrowth", 1960)


def test_as_measured_blanks_only_the_coded_years(table: RiskTable) -> None:
    frame = table.frame
    honest = as_measured(frame)
    early = frame["year"] < 1989
    assert honest.loc[early, "battledeaths.log2"].isna().all()
    assert (frame.loc[early, "battledeaths.log2"] == 0).all()
    np.testing.assert_array_equal(honest.loc[~early, "battledeaths.log2"],
                                  frame.loc[~early, "battledeaths.log2"])  # fmt: skip
    assert honest.drop(columns="battledeaths.log2").equals(frame.drop(columns="battledeaths.log2"))
