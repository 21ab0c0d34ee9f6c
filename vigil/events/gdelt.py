"""GDELT event readers: 2.0 (61 tab-separated columns, a file every 15 minutes) and 1.0 (57
columns in the 1979–2013 back files, 58 with ``SOURCEURL`` in the daily files); neither has a
header. GDELT 1.0 has no ``ADM2Code`` in its geography blocks and dates ``DATEADDED`` by day.

GDELT locates events by FIPS 10-4 country code (``ActionGeo_CountryCode``), not ISO, and classifies
them with CAMEO codes. Vigil keeps every event but types only the violent ones: root 14 is protest,
18–20 (assault, fight, mass violence) are one-sided when the target is civilian, state-based when
a state actor is involved, non-state otherwise. GDELT reports no fatalities.
"""

from __future__ import annotations

from functools import partial

from vigil.events.reader import Reader, column_or_null, decimal

_ACTOR = (
    "Code",
    "Name",
    "CountryCode",
    "KnownGroupCode",
    "EthnicCode",
    "Religion1Code",
    "Religion2Code",
    "Type1Code",
    "Type2Code",
    "Type3Code",
)
_GEO = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")

_EVENT = [
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
]

COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    *(f"Actor1{part}" for part in _ACTOR),
    *(f"Actor2{part}" for part in _ACTOR),
    *_EVENT,
    *(f"Actor1Geo_{part}" for part in _GEO),
    *(f"Actor2Geo_{part}" for part in _GEO),
    *(f"ActionGeo_{part}" for part in _GEO),
    "DATEADDED",
    "SOURCEURL",
)

_GEO1 = tuple(part for part in _GEO if part != "ADM2Code")
GDELT1_COLUMNS: tuple[str, ...] = (
    *COLUMNS[: COLUMNS.index("Actor1Geo_Type")],
    *(f"Actor1Geo_{part}" for part in _GEO1),
    *(f"Actor2Geo_{part}" for part in _GEO1),
    *(f"ActionGeo_{part}" for part in _GEO1),
    "DATEADDED",
    "SOURCEURL",
)

CIVILIAN_TYPES = ("CVL", "REF", "EDU", "HLH", "REL", "LAB", "AGR", "MED")
STATE_TYPES = ("GOV", "MIL", "COP", "JUD", "SPY")
_DATE = "TRY_STRPTIME(trim(r.SQLDATE), '%Y%m%d')::DATE"
_COUNTRY = "country_of_fips(r.ActionGeo_CountryCode)"


def _in(column: str, codes: tuple[str, ...]) -> str:
    return f"r.{column} IN ({', '.join(repr(code) for code in codes)})"


def select(present: frozenset[str], source: str = "gdelt2") -> str:
    """Normalising SQL for one GDELT row of relation ``r`` (FIPS mapped to ISO3).

    GDELT 1.0 stamps ``DATEADDED`` by day (YYYYMMDD): scaled to 2.0's YYYYMMDDHHMMSS.
    """
    scale = "1000000" if source == "gdelt1" else "1"
    state = f"({_in('Actor1Type1Code', STATE_TYPES)} OR {_in('Actor2Type1Code', STATE_TYPES)})"
    return f"""
        '{source}' AS source,
        trim(r.GLOBALEVENTID) AS source_id,
        coalesce(TRY_CAST(trim(r.DATEADDED) AS BIGINT) * {scale}, 0) AS version,
        {_DATE} AS date_start,
        {_DATE} AS date_end,
        1::SMALLINT AS date_precision,
        date_trunc('month', {_DATE})::DATE AS month,
        {_COUNTRY}.iso3 AS iso3,
        {_COUNTRY}.gwno AS gwno,
        {_COUNTRY}.cown AS cown,
        r.ActionGeo_FullName AS country,
        NULLIF(r.ActionGeo_ADM1Code, '') AS admin1,
        NULLIF({column_or_null("ActionGeo_ADM2Code", present)}, '') AS admin2,
        {decimal("r.ActionGeo_Lat")} AS latitude,
        {decimal("r.ActionGeo_Long")} AS longitude,
        CASE
            WHEN r.EventRootCode = '14' THEN 'protest_riot'
            WHEN r.EventRootCode IN ('18', '19', '20') THEN CASE
                WHEN {_in("Actor2Type1Code", CIVILIAN_TYPES)} THEN 'one_sided'
                WHEN {state} THEN 'state_based' ELSE 'non_state' END
            ELSE 'other'
        END AS violence_type,
        NULLIF(r.Actor1Name, '') AS actor1,
        NULLIF(r.Actor2Name, '') AS actor2,
        NULL::INTEGER AS fatalities_best,
        NULL::INTEGER AS fatalities_low,
        NULL::INTEGER AS fatalities_high,
        NULL::INTEGER AS civilian_deaths,
        r.EventRootCode IN ('18', '19', '20') AND {_in("Actor2Type1Code", CIVILIAN_TYPES)}
            AS civilian_targeting,
        NULL::VARCHAR AS disorder_type,
        {column_or_null("SOURCEURL", present)} AS source_ref,
        NULL::VARCHAR AS flags,
        CASE
            WHEN TRY_CAST(r.GLOBALEVENTID AS BIGINT) IS NULL
                THEN 'bad GLOBALEVENTID: ' || coalesce(r.GLOBALEVENTID, '')
            WHEN {_DATE} IS NULL THEN 'unparsable SQLDATE: ' || coalesce(r.SQLDATE, '')
            WHEN NULLIF(r.ActionGeo_CountryCode, '') IS NULL
                THEN 'unknown country: no ActionGeo_CountryCode'
            WHEN {_COUNTRY} IS NULL
                THEN 'unknown country: FIPS ' || r.ActionGeo_CountryCode
        END AS reason"""


_RAW = ("GLOBALEVENTID", "SQLDATE", "EventCode", "ActionGeo_CountryCode")
READER = Reader(source="gdelt2", select=select, raw_columns=_RAW)
READER1 = Reader(source="gdelt1", select=partial(select, source="gdelt1"), raw_columns=_RAW)
