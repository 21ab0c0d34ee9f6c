"""The pages' drivers are ``vigil explain``'s: the risk picture explains all countries at once."""

from __future__ import annotations

import pytest

from vigil.risk.explain import explain
from vigil.risk.table import load_table


@pytest.fixture(scope="module")
def table():  # type: ignore[no-untyped-def]
    return load_table()


@pytest.mark.parametrize("iso3", ["MMR", "SDN", "SWE"])
def test_country_drivers_match_vigil_explain(table, snapshot, site_settings, iso3):
    expected = explain(table, iso3, model=snapshot.model, seed=site_settings.seed)
    shown = snapshot.by_iso3[iso3]["drivers"]
    for mine, theirs in ((shown["up"], expected.counterfactual_up),
                         (shown["down"], expected.counterfactual_down)):  # fmt: skip
        assert [d["variable"] for d in mine] == [d.variable for d in theirs]
        assert [d["effect"] for d in mine] == pytest.approx([d.effect for d in theirs], abs=1e-9)
    moved = expected.change_drivers[:5]
    assert [d["variable"] for d in shown["change"]] == [d.variable for d in moved]
    assert shown["change_from_refit"] == pytest.approx(expected.change_from_refit, abs=1e-5)


def test_page_probability_and_change_are_the_explained_ones(table, snapshot, site_settings):
    expected = explain(table, "MMR", model=snapshot.model, seed=site_settings.seed)
    shown = snapshot.by_iso3["MMR"]
    assert shown["probability"] == pytest.approx(expected.probability, abs=1e-9)
    assert shown["rank"] == expected.rank
    assert shown["previous"] == pytest.approx(expected.previous_probability, abs=1e-5)
