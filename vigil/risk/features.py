"""Engineered risk features computed per country from the past only.

Every feature of a row for year t is a function of rows with year ≤ t: the
country's own history (changes over one to five years, time since its last
onset or episode, rolling battle deaths) and its region's and the world's
history (onsets and ongoing killings elsewhere). The forward-looking outcome
columns (``mk_onset_1``, ``mk_onset_2``, ``mk_onset_1or2``) never feed a
feature; ``mk_onset`` of year t is known at t and may.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vigil.countries import converter

#: Predictors whose recent change is informative (levels are already in the table).
CHANGING: tuple[str, ...] = (
    "battledeaths.log2",
    "mk_ongoing_count_log2",
    "freediscussion",
    "religiousfreedom",
    "judicialreform",
    "ses_power_dist",
    "un_imr_sqrt",
    "popsize.log2",
    "discrimpop",
)
#: Look-back horizons (years) for changes.
HORIZONS: tuple[int, ...] = (1, 3, 5)
#: Cap for "years since" features; a country with no recorded event gets the cap.
YEARS_CAP = 60
#: Region dummies of the table; a row with none of them is in sub-Saharan Africa.
REGION_DUMMIES: tuple[str, ...] = ("reg.na", "reg.eap", "reg.sca", "reg.mna", "reg.eur")
#: Columns that look into the future and must never feed a feature.
FUTURE_OUTCOMES: tuple[str, ...] = ("mk_onset_1", "mk_onset_2", "mk_onset_1or2")

#: Names of the columns :func:`add_features` appends, in order.
FEATURES: tuple[str, ...] = (
    *[f"d{k}.{c}" for c in CHANGING for k in HORIZONS],
    "years_since_onset",
    "years_since_episode",
    "onsets_10y",
    "battle_max_5y",
    "battle_mean_5y",
    "region_onsets_5y",
    "region_ongoing",
    "region_battle",
    "subregion_onsets_5y",
    "subregion_ongoing",
    "world_onsets_5y",
    "world_ongoing",
)


def add_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with the :data:`FEATURES` columns appended (same index and order).

    ``frame`` needs ``ccode``, ``year``, ``mk_onset``, the region dummies and the
    :data:`CHANGING` predictors; ``iso3`` (optional) refines regions into UN sub-regions.
    """
    base = frame.drop(columns=[c for c in FUTURE_OUTCOMES if c in frame.columns])
    base = base.reset_index(drop=True)
    parts = [_changes(base), _own_history(base), _neighbourhood(base)]
    features = pd.concat(parts, axis=1)[list(FEATURES)]
    features.index = frame.index
    return pd.concat([frame, features], axis=1)


def _lagged(frame: pd.DataFrame, column: str, k: int) -> pd.Series:
    """Value of ``column`` for the same country k years earlier (NaN where absent)."""
    past = frame[["ccode", "year", column]].assign(year=frame["year"] + k)
    merged = frame[["ccode", "year"]].merge(past, on=["ccode", "year"], how="left")
    return merged[column].set_axis(frame.index)


def _changes(frame: pd.DataFrame) -> pd.DataFrame:
    """Change of each :data:`CHANGING` predictor over each horizon; 0 where unknown."""
    columns = {}
    for column in CHANGING:
        for k in HORIZONS:
            change = frame[column] - _lagged(frame, column, k)
            columns[f"d{k}.{column}"] = change.fillna(0.0)
    return pd.DataFrame(columns, index=frame.index)


def _years_since(frame: pd.DataFrame, event: pd.Series) -> pd.Series:
    """Years since ``event`` was last true for the country, at or before each row's year."""
    order = frame.sort_values(["ccode", "year"]).index
    last = frame["year"].where(event).loc[order].groupby(frame["ccode"].loc[order]).ffill()
    since = (frame["year"] - last.reindex(frame.index)).clip(upper=YEARS_CAP)
    return since.fillna(YEARS_CAP)


def _rolling(frame: pd.DataFrame, column: str, years: int) -> pd.DataFrame:
    """The column's values over years t−years+1..t, one column per lag."""
    return pd.concat([_lagged(frame, column, k) for k in range(years)], axis=1)


def _own_history(frame: pd.DataFrame) -> pd.DataFrame:
    onset = frame["mk_onset"] == 1
    ongoing = (frame["mk_ongoing_count_log2"] > 0) | onset
    battle = _rolling(frame, "battledeaths.log2", 5)
    return pd.DataFrame(
        {
            "years_since_onset": _years_since(frame, onset),
            "years_since_episode": _years_since(frame, ongoing),
            "onsets_10y": _rolling(frame, "mk_onset", 10).sum(axis=1),
            "battle_max_5y": battle.max(axis=1).fillna(0.0),
            "battle_mean_5y": battle.mean(axis=1).fillna(0.0),
        },
        index=frame.index,
    )


def regions(frame: pd.DataFrame) -> pd.Series:
    """The table's region of each row (``reg.*`` dummy, or ``reg.ssa`` when none is set)."""
    dummies = frame[list(REGION_DUMMIES)].fillna(0).to_numpy()
    names = np.array([*REGION_DUMMIES, "reg.ssa"])
    index = np.where(dummies.max(axis=1) > 0, dummies.argmax(axis=1), len(REGION_DUMMIES))
    return pd.Series(names[index], index=frame.index)


def subregions(frame: pd.DataFrame) -> pd.Series:
    """UN sub-region from ISO3 where known, else the table's region."""
    region = regions(frame)
    if "iso3" not in frame.columns:
        return region
    table = converter().data.dropna(subset=["ISO3"]).drop_duplicates("ISO3")
    lookup = table.set_index("ISO3")["UNregion"]
    return frame["iso3"].map(lookup).fillna(region)


def _group_history(frame: pd.DataFrame, group: pd.Series, prefix: str) -> pd.DataFrame:
    """Onsets (last five years) and ongoing killings at t in the group, excluding the country."""
    work = pd.DataFrame(
        {
            "group": group,
            "year": frame["year"],
            "onset": (frame["mk_onset"] == 1).astype(float),
            "ongoing": (frame["mk_ongoing_count_log2"] > 0).astype(float),
            "battle": frame["battledeaths.log2"].fillna(0.0),
            "one": 1.0,
        }
    )
    totals = work.groupby(["group", "year"])[["onset", "ongoing", "battle", "one"]].sum()
    onsets = sum(_shifted_total(totals["onset"], work, k) for k in range(5)) - _rolling(
        frame.assign(_o=work["onset"]), "_o", 5
    ).sum(axis=1)
    same = totals.reindex(pd.MultiIndex.from_frame(work[["group", "year"]]))
    others = (same["one"].to_numpy() - 1).clip(min=1)
    result = {
        f"{prefix}_onsets_5y": onsets.to_numpy(),
        f"{prefix}_ongoing": same["ongoing"].to_numpy() - work["ongoing"].to_numpy(),
        f"{prefix}_battle": (same["battle"].to_numpy() - work["battle"].to_numpy()) / others,
    }
    return pd.DataFrame(result, index=frame.index)


def _shifted_total(total: pd.Series, work: pd.DataFrame, k: int) -> np.ndarray:
    keys = pd.MultiIndex.from_arrays([work["group"], work["year"] - k])
    return total.reindex(keys).fillna(0.0).to_numpy()


def _neighbourhood(frame: pd.DataFrame) -> pd.DataFrame:
    region = _group_history(frame, regions(frame), "region")
    subregion = _group_history(frame, subregions(frame), "subregion")
    world = _group_history(frame, pd.Series("world", index=frame.index), "world")
    return pd.concat(
        [
            region[["region_onsets_5y", "region_ongoing", "region_battle"]],
            subregion[["subregion_onsets_5y", "subregion_ongoing"]],
            world[["world_onsets_5y", "world_ongoing"]],
        ],
        axis=1,
    )
