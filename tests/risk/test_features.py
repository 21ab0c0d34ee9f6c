"""Engineered features look only backwards: a feature at year t depends on rows up to t."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigil.risk.features import FEATURES, FUTURE_OUTCOMES, add_features


@pytest.fixture(scope="module")
def sample(table) -> pd.DataFrame:
    """Forty countries of the bundled table (with whole regions' worth of history)."""
    codes = sorted(table.frame["ccode"].unique())[::4]
    return table.frame[table.frame["ccode"].isin(codes)].reset_index(drop=True)


def perturb_after(frame: pd.DataFrame, year: int, seed: int) -> pd.DataFrame:
    """Scramble every numeric value of rows after ``year`` and every future outcome."""
    rng = np.random.default_rng(seed)
    changed = frame.copy()
    later = changed["year"] > year
    numeric = [c for c in changed.select_dtypes("number").columns if c not in ("ccode", "year")]
    for column in numeric:
        changed.loc[later, column] = rng.permutation(changed.loc[later, column].to_numpy())
    for column in FUTURE_OUTCOMES:
        changed[column] = rng.integers(0, 2, len(changed))
    return changed


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(year=st.integers(1965, 2023), seed=st.integers(0, 2**16))
def test_features_at_year_t_ignore_later_rows_and_future_outcomes(sample, year, seed):
    before = add_features(sample)
    after = add_features(perturb_after(sample, year, seed))
    known = sample["year"] <= year
    pd.testing.assert_frame_equal(
        before.loc[known, list(FEATURES)], after.loc[known, list(FEATURES)]
    )


def test_features_keep_the_rows_index_and_order(sample):
    shuffled = sample.sample(frac=1.0, random_state=0)
    result = add_features(shuffled)
    assert result.index.equals(shuffled.index)
    pd.testing.assert_frame_equal(
        result.loc[sample.index, list(FEATURES)], add_features(sample)[list(FEATURES)]
    )


def toy() -> pd.DataFrame:
    """Two African countries over six years; country 1 has an onset in 2002."""
    rows = []
    for ccode in (1, 2):
        for year in range(2000, 2006):
            rows.append({
                "ccode": ccode, "year": year, "mk_onset": int(ccode == 1 and year == 2002),
                "mk_ongoing_count_log2": float(ccode == 1 and year >= 2002),
                "battledeaths.log2": float(year - 2000) if ccode == 2 else 0.0,
                **{c: 0.0 for c in ("freediscussion", "religiousfreedom", "judicialreform",
                                    "ses_power_dist", "un_imr_sqrt", "popsize.log2", "discrimpop",
                                    "reg.na", "reg.eap", "reg.sca", "reg.mna", "reg.eur")},
            })  # fmt: skip
    return pd.DataFrame(rows)


def test_years_since_onset_counts_from_the_last_onset():
    result = add_features(toy()).set_index(["ccode", "year"])
    assert result.loc[(1, 2001), "years_since_onset"] == 60  # none yet: the cap
    assert result.loc[(1, 2002), "years_since_onset"] == 0
    assert result.loc[(1, 2005), "years_since_onset"] == 3


def test_changes_and_rolling_battle_deaths_use_earlier_years_of_the_same_country():
    result = add_features(toy()).set_index(["ccode", "year"])
    assert result.loc[(2, 2004), "d3.battledeaths.log2"] == 3.0
    assert result.loc[(2, 2000), "d1.battledeaths.log2"] == 0.0  # no earlier year: no change
    assert result.loc[(2, 2005), "battle_max_5y"] == 5.0
    assert result.loc[(2, 2005), "battle_mean_5y"] == pytest.approx(3.0)


def test_neighbourhood_counts_other_countries_only():
    result = add_features(toy()).set_index(["ccode", "year"])
    assert result.loc[(2, 2003), "region_onsets_5y"] == 1  # country 1's onset in 2002
    assert result.loc[(1, 2003), "region_onsets_5y"] == 0  # its own onset is not neighbourhood
    assert result.loc[(2, 2001), "region_onsets_5y"] == 0  # not yet happened
    assert result.loc[(2, 2003), "region_ongoing"] == 1
