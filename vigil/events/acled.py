"""ACLED reader: every export layout ACLED has used, mapped to the event model.

Four layout families are read, recognised from the header alone:

- ``acled-current``: today's 31-column export (``event_id_cnty … civilian_targeting, iso … tags,
  timestamp``);
- ``acled-2019-2023``: the export of 2019–2023 (``data_id, iso, event_id_cnty …, iso3``), without
  ``disorder_type`` and ``civilian_targeting``;
- ``acled-2015-2016``: the upper-case layout (``GWNO, EVENT_ID_CNTY …, FATALITIES``) with
  Gleditsch-Ward countries, ``ALLY_ACTOR_*``, older event types ("Battle-No change of territory",
  "Remote violence", "Riots/Protests"), dd/mm/yyyy dates and often empty trailing columns;
- ``acled-api`` (API dumps: the columns of a known layout in another order, or more of them) and
  ``acled-trimmed`` (an export a user cut down, e.g. without the second actor).

What a layout lacks is derived: civilian targeting from the event type ("Violence against
civilians", or civilians as the target of remote violence or mob violence), the disorder type from
the event and sub-event type. Actor types are read as ACLED's numeric codes (1 = state forces,
7 = civilians) or as their text. ``timestamp`` is the row's version: a later export of the same
``event_id_cnty`` replaces the earlier one.
"""

from __future__ import annotations

from vigil.events.reader import Reader, bad_count, column_or_null, decimal, nonneg_int

COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
COLUMNS_2019 = (
    "data_id", "iso", "event_id_cnty", "event_id_no_cnty", "event_date", "year",
    "time_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1",
    "actor2", "assoc_actor_2", "inter2", "interaction", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "timestamp", "iso3",
)  # fmt: skip
COLUMNS_2015 = (
    "GWNO", "EVENT_ID_CNTY", "EVENT_ID_NO_CNTY", "EVENT_DATE", "YEAR", "TIME_PRECISION",
    "EVENT_TYPE", "ACTOR1", "ALLY_ACTOR_1", "INTER1", "ACTOR2", "ALLY_ACTOR_2", "INTER2",
    "INTERACTION", "COUNTRY", "ADMIN1", "ADMIN2", "ADMIN3", "LOCATION", "LATITUDE", "LONGITUDE",
    "GEO_PRECISION", "SOURCE", "NOTES", "FATALITIES",
)  # fmt: skip
REQUIRED = ("event_id_cnty", "event_date", "event_type", "fatalities")
COUNTRY_CODES = ("iso", "iso3", "gwno")
ALIASES = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d/%m/%Y", "%d-%B-%Y", "%d-%b-%Y", "%d %b %Y")


def normalised_names(fields: list[str]) -> list[str]:
    """Header fields as the reader's column names: lower case, old aliases mapped, blank or
    repeated names made unique (``_blank_3``) so that every field keeps a name."""
    names: list[str] = []
    for index, field in enumerate(fields):
        name = field.strip().lstrip("\ufeff").lower()
        name = ALIASES.get(name, name)
        names.append(name if name and name not in names else f"_blank_{index}")
    return names


def layout_of(fields: list[str]) -> str:
    """The layout family of an ACLED header (see the module docstring)."""
    given = [field.strip().lstrip("\ufeff") for field in fields]
    while given and not given[-1]:
        given.pop()
    found = set(normalised_names(given))
    known = {
        "acled-current": COLUMNS,
        "acled-2019-2023": COLUMNS_2019,
        "acled-2015-2016": COLUMNS_2015,
    }
    for name, columns in known.items():
        if given == list(columns):
            return name
    if any(found < set(normalised_names(list(columns))) for columns in known.values()):
        return "acled-trimmed"
    return "acled-api"


def _is(column: str, present: frozenset[str], *values: str) -> str:
    """SQL: the (numeric or text) actor-type field ``column`` is one of ``values``."""
    listed = ", ".join(f"'{value}'" for value in values)
    return f"lower(trim({column_or_null(column, present)})) IN ({listed})"


def _date() -> str:
    parts = ", ".join(f"TRY_STRPTIME(trim(r.event_date), '{fmt}')" for fmt in DATE_FORMATS)
    return f"coalesce({parts})::DATE"


def _country(present: frozenset[str]) -> str:
    lookups = {
        "iso": "country_of_isonum(TRY_CAST(trim(r.iso) AS INTEGER))",
        "iso3": "country_of_iso3(upper(trim(r.iso3)))",
        "gwno": "country_of_gw(TRY_CAST(trim(r.gwno) AS INTEGER))",
    }
    found = [sql for name, sql in lookups.items() if name in present]
    return f"coalesce({', '.join(found)})" if len(found) > 1 else found[0]


_TYPE = "lower(trim(r.event_type))"
_BATTLE = f"({_TYPE} LIKE 'battle%')"
_REMOTE = f"({_TYPE} IN ('explosions/remote violence', 'remote violence'))"
_CIVILIANS = f"({_TYPE} = 'violence against civilians')"
_UNREST = f"({_TYPE} IN ('protests', 'riots', 'riots/protests'))"


def _targeting(present: frozenset[str]) -> str:
    if "civilian_targeting" in present:
        return "(NULLIF(trim(r.civilian_targeting), '') IS NOT NULL)"
    sub = f"lower(trim({column_or_null('sub_event_type', present)}))"
    against = _is("inter2", present, "7", "civilians")
    derived = f"{_CIVILIANS} OR ({against} AND ({_REMOTE} OR {sub} = 'mob violence'))"
    return f"coalesce({derived}, false)"


def _disorder(present: frozenset[str]) -> str:
    if "disorder_type" in present:
        return "NULLIF(trim(r.disorder_type), '')"
    sub = f"lower(trim({column_or_null('sub_event_type', present)}))"
    return f"""CASE
            WHEN {sub} = 'excessive force against protesters' THEN 'Political violence; Demonstrations'
            WHEN {sub} = 'mob violence' THEN 'Political violence'
            WHEN {_UNREST} THEN 'Demonstrations'
            WHEN {_BATTLE} OR {_REMOTE} OR {_CIVILIANS} THEN 'Political violence'
            ELSE 'Strategic developments' END"""  # noqa: E501


def _reason(present: frozenset[str], date: str, country: str) -> str:
    """SQL: why a row cannot be kept (NULL when it can)."""
    codes = " || ' ' || ".join(
        f"'{c} ' || coalesce(r.{c}, '')" for c in COUNTRY_CODES if c in present
    )
    return f"""CASE
            WHEN NULLIF(trim(r.event_id_cnty), '') IS NULL THEN 'missing event_id_cnty'
            WHEN {date} IS NULL THEN 'unparsable event_date: ' || coalesce(r.event_date, '')
            WHEN {country} IS NULL THEN 'unknown country: ' || {codes}
                || ' (' || coalesce({column_or_null("country", present)}, '') || ')'
            WHEN {bad_count("r.fatalities")}
                THEN 'negative or non-integer fatalities: ' || r.fatalities
        END"""


def select(present: frozenset[str]) -> str:
    """Normalising SQL for one ACLED row of relation ``r``, whatever the layout."""
    col = lambda name: column_or_null(name, present)  # noqa: E731
    fatalities, date, country = nonneg_int("r.fatalities"), _date(), _country(present)
    state = f"({_is('inter1', present, '1', 'state forces')} OR " + (
        f"{_is('inter2', present, '1', 'state forces')})"
    )
    return f"""
        'acled' AS source,
        trim(r.event_id_cnty) AS source_id,
        coalesce(TRY_CAST(trim({col("timestamp")}) AS BIGINT), 0) AS version,
        {date} AS date_start,
        {date} AS date_end,
        TRY_CAST(trim({col("time_precision")}) AS SMALLINT) AS date_precision,
        date_trunc('month', {date})::DATE AS month,
        {country}.iso3 AS iso3,
        {country}.gwno AS gwno,
        {country}.cown AS cown,
        {col("country")} AS country,
        NULLIF({col("admin1")}, '') AS admin1,
        NULLIF({col("admin2")}, '') AS admin2,
        {decimal(col("latitude"))} AS latitude,
        {decimal(col("longitude"))} AS longitude,
        CASE
            WHEN {_CIVILIANS} THEN 'one_sided'
            WHEN {_UNREST} THEN 'protest_riot'
            WHEN {_BATTLE} OR {_REMOTE} THEN CASE WHEN {state} THEN 'state_based'
                ELSE 'non_state' END
            ELSE 'other'
        END AS violence_type,
        NULLIF({col("actor1")}, '') AS actor1,
        NULLIF({col("actor2")}, '') AS actor2,
        {fatalities} AS fatalities_best,
        {fatalities} AS fatalities_low,
        {fatalities} AS fatalities_high,
        CASE WHEN {_targeting(present)} THEN {fatalities} ELSE 0 END AS civilian_deaths,
        {_targeting(present)} AS civilian_targeting,
        {_disorder(present)} AS disorder_type,
        {col("source")} AS source_ref,
        NULL::VARCHAR AS flags,
        {_reason(present, date, country)} AS reason"""


READER = Reader(
    source="acled",
    select=select,
    raw_columns=("event_id_cnty", "event_date", "country", "event_type", "fatalities"),
)
