"""Country-month and admin1-month panels: the time series every signal and forecast is built on.

A panel row counts one unit's events and deaths in one month by violence type, with civilian
deaths, the number of distinct perpetrators (side A of organised violence) and, for countries, the
number of admin1 units affected. Panels are complete: a unit has a row, filled with zeros, for
every month between the panel's first and last month, because a month without violence is data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pandas as pd

from vigil.events.model import ViolenceType
from vigil.events.store import EventStore

Level = Literal["country", "admin1"]
LETHAL = (ViolenceType.STATE_BASED, ViolenceType.NON_STATE, ViolenceType.ONE_SIDED)
DEFAULT_SOURCES = ("ucdp-ged", "acled")
KEYS: dict[str, tuple[str, ...]] = {"country": ("iso3",), "admin1": ("iso3", "admin1")}


def measure_columns(level: Level) -> list[str]:
    """The panel's measure columns, in order."""
    types = [t.value for t in ViolenceType]
    columns = ["events", *(f"events_{t}" for t in types), "fatalities"]
    columns += [f"fatalities_{t}" for t in types] + ["civilian_deaths", "perpetrators"]
    return columns + (["admin1_units"] if level == "country" else [])


def aggregate_sql(level: Level, relation: str) -> str:
    """SQL aggregating events in ``relation`` to one row per unit and month (no zero rows)."""
    keys = ", ".join(KEYS[level])
    lethal = ", ".join(f"'{t.value}'" for t in LETHAL)
    parts = ["count(*) AS events"]
    parts += [
        f"count(*) FILTER (violence_type = '{t.value}') AS events_{t.value}" for t in ViolenceType
    ]
    parts.append("coalesce(sum(fatalities_best), 0) AS fatalities")
    parts += [
        f"coalesce(sum(fatalities_best) FILTER (violence_type = '{t}'), 0) AS fatalities_{t}"
        for t in (kind.value for kind in ViolenceType)
    ]
    parts.append("coalesce(sum(civilian_deaths), 0) AS civilian_deaths")
    parts.append(f"count(DISTINCT actor1) FILTER (violence_type IN ({lethal})) AS perpetrators")
    if level == "country":
        parts.append("count(DISTINCT admin1) AS admin1_units")
    where = "WHERE admin1 IS NOT NULL" if level == "admin1" else ""
    return f"""SELECT {keys}, month, {", ".join(parts)} FROM {relation} {where}
        GROUP BY {keys}, month"""


def source_filter(sources: Sequence[str] | None) -> str:
    """SQL relation: the events of the given sources (all sources when None)."""
    if not sources:
        return "events"
    names = ", ".join("'" + s.replace("'", "''") + "'" for s in sources)
    return f"(SELECT * FROM events WHERE source IN ({names}))"


def build_panel(
    store: EventStore, level: Level = "country", sources: Sequence[str] | None = DEFAULT_SOURCES
) -> pd.DataFrame:
    """The complete panel at ``level`` from the store's events of ``sources`` (DuckDB engine)."""
    with store.connect() as con:
        sparse = con.execute(aggregate_sql(level, source_filter(sources))).df()
    return complete(sparse, level)


def complete(sparse: pd.DataFrame, level: Level) -> pd.DataFrame:
    """Fill every unit's missing months with zeros and sort by unit and month.

    Both engines finish through this function, so their panels have one shape and one dtype set.
    """
    keys = list(KEYS[level])
    measures = measure_columns(level)
    if sparse.empty:
        return pd.DataFrame(columns=[*keys, "month", *measures])
    sparse = sparse.copy()
    sparse["month"] = pd.to_datetime(sparse["month"]).dt.to_period("M").dt.to_timestamp()
    months = pd.date_range(sparse["month"].min(), sparse["month"].max(), freq="MS")
    units = sparse[keys].drop_duplicates()
    grid = units.merge(pd.DataFrame({"month": months}), how="cross")
    full = grid.merge(sparse, on=[*keys, "month"], how="left")
    full[measures] = full[measures].fillna(0).astype("int64")
    full[keys] = full[keys].astype(object)
    return full.sort_values([*keys, "month"], ignore_index=True)[[*keys, "month", *measures]]
