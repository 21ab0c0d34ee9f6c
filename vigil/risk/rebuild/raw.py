"""Raw releases cleaned into the shapes the build merges: UCDP battle deaths and HIEF.

A new UCDP release (``BattleDeaths_v26_1.csv``) or HIEF file drops into the source directory as
published; these functions rename its countries to the table's names and aggregate it.
"""

from __future__ import annotations

import pandas as pd

from vigil.errors import DataError
from vigil.risk.rebuild.sources import require_columns

#: UCDP location names → the table's country names.
UCDP_NAMES = {
    "Burkina Faso": "Burkina Faso (Upper Volta)", "Yemen (North Yemen)": "Yemen",
    "DR Congo (Zaire)": "Congo, Democratic Republic of (Zaire)",
    "Turkey": "Turkey (Ottoman Empire)", "Serbia (Yugoslavia)": "Serbia",
    "Ivory Coast": "Cote D’Ivoire", "Tanzania": "Tanzania/Tanganyika",
    "Sri Lanka": "Sri Lanka (Ceylon)", "Romania": "Rumania",
    "North Macedonia": "Macedonia (Former Yugoslav Republic of)", "Iran": "Iran (Persia)",
}  # fmt: skip

#: HIEF country names → the table's country names.
HIEF_NAMES = {
    "German Federal Republic": "Germany", "German Democratic Republic": "Germany (East)",
    "Italy": "Italy/Sardinia", "Yugoslavia": "Serbia",
    "Macedonia": "Macedonia (Former Yugoslav Republic of)", "Romania": "Rumania",
    "USSR": "Russia (Soviet Union)", "Belarus": "Belarus (Byelorussia)",
    "Russia": "Russia (Soviet Union)", "Cote d'Ivoire": "Cote D’Ivoire",
    "Burkina Faso": "Burkina Faso (Upper Volta)",
    "Democratic Republic of Congo": "Congo, Democratic Republic of (Zaire)",
    "Tanzania": "Tanzania/Tanganyika", "Zimbabwe": "Zimbabwe (Rhodesia)",
    "Iran": "Iran (Persia)", "Turkey": "Turkey (Ottoman Empire)",
    "Yemen Arab Republic": "Yemen (Arab Republic of Yemen)",
    "Yemen PDR": "Yemen, People's Republic of",
    "Democratic People's Republic of Korea": "Korea, People's Republic of",
    "Republic of Korea": "Korea, Republic of", "Myanmar": "Myanmar (Burma)",
    "Sri Lanka": "Sri Lanka (Ceylon)", "Cambodia": "Cambodia (Kampuchea)",
    "Democratic Republic of Vietnam": "Vietnam, Democratic Republic of",
    "Republic of Vietnam": "Vietnam, Republic of", "Suriname": "Surinam",
}  # fmt: skip

UCDP_COLUMNS = ("location_inc", "year", "bd_best", "bd_high", "bd_low", "type_of_conflict")


def clean_ucdp(ucdp: pd.DataFrame, countries: set[str], path: str) -> pd.DataFrame:
    """Battle deaths of internal and internationalised internal conflicts by country and year.

    Conflict types 3 and 4 only; a location the table does not know (other than a multi-country
    location, which matches no single country) is an error naming the row.
    """
    require_columns(ucdp, UCDP_COLUMNS, path)
    rows = ucdp[ucdp["type_of_conflict"] >= 3].copy()
    rows["country"] = rows["location_inc"].replace(UCDP_NAMES)
    unknown = ~rows["country"].isin(countries) & ~rows["country"].str.contains(", ", regex=False)
    if unknown.any():
        first = rows.index[unknown.to_numpy()][0]
        raise DataError(
            f"unknown location {rows.at[first, 'location_inc']!r}; add it to UCDP_NAMES",
            path=path, row=int(first) + 2, column="location_inc",
        )  # fmt: skip
    grouped = rows.groupby(["country", "year"], sort=False)
    return pd.DataFrame({
        "battledeaths": grouped["bd_best"].sum(),
        "battledeaths_high": grouped["bd_high"].sum(),
        "battledeaths_low": grouped["bd_low"].sum(),
    }).reset_index()  # fmt: skip


def clean_hief(hief: pd.DataFrame) -> pd.DataFrame:
    """HIEF under the table's names; Russia's 1991 USSR value dropped; exact duplicates dropped."""
    require_columns(hief, ("Country", "Year", "EFindex"), "HIEF_data")
    hief = hief.copy()
    hief["Country"] = hief["Country"].replace(HIEF_NAMES)
    yemen = (hief["Country"] == "Yemen (Arab Republic of Yemen)") & (hief["Year"] >= 1990)
    hief.loc[yemen, "Country"] = "Yemen"
    ussr = (hief["Country"] == "Russia (Soviet Union)") & (hief["EFindex"] == 0.286)
    hief = hief[~ussr].drop_duplicates()
    return hief.rename(columns={"EFindex": "efindex"})
