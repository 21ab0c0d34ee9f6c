"""GDELT 2.0 event export reader: 61 tab-separated columns, no header, one file every 15 minutes.

GDELT locates events by FIPS 10-4 country code (``ActionGeo_CountryCode``), not ISO, and classifies
them with CAMEO codes. Vigil keeps every event but types only the violent ones: root 14 is protest,
18–20 (assault, fight, mass violence) are one-sided when the target is civilian, state-based when
a state actor is involved, non-state otherwise. GDELT reports no fatalities.
"""

from __future__ import annotations

from vigil.events.reader import Reader

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

CIVILIAN_TYPES = ("CVL", "REF", "EDU", "HLH", "REL", "LAB", "AGR", "MED")
STATE_TYPES = ("GOV", "MIL", "COP", "JUD", "SPY")
_DATE = "TRY_STRPTIME(trim(r.SQLDATE), '%Y%m%d')::DATE"
_COUNTRY = "country_of_fips(r.ActionGeo_CountryCode)"


def _in(column: str, codes: tuple[str, ...]) -> str:
    return f"r.{column} IN ({', '.join(repr(code) for code in codes)})"


def select(present: frozenset[str]) -> str:
    """Normalising SQL for one GDELT row of relation ``r`` (FIPS mapped to ISO3)."""
    state = f"({_in('Actor1Type1Code', STATE_TYPES)} OR {_in('Actor2Type1Code', STATE_TYPES)})"
    return f"""
        'gdelt2' AS source,
        trim(r.GLOBALEVENTID) AS source_id,
        coalesce(TRY_CAST(r.DATEADDED AS BIGINT), 0) AS version,
        {_DATE} AS date_start,
        {_DATE} AS date_end,
        1::SMALLINT AS date_precision,
        date_trunc('month', {_DATE})::DATE AS month,
        {_COUNTRY}.iso3 AS iso3,
        {_COUNTRY}.gwno AS gwno,
        {_COUNTRY}.cown AS cown,
        r.ActionGeo_FullName AS country,
        NULLIF(r.ActionGeo_ADM1Code, '') AS admin1,
        NULLIF(r.ActionGeo_ADM2Code, '') AS admin2,
        TRY_CAST(r.ActionGeo_Lat AS DOUBLE) AS latitude,
        TRY_CAST(r.ActionGeo_Long AS DOUBLE) AS longitude,
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
        r.SOURCEURL AS source_ref,
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


READER = Reader(
    source="gdelt2",
    delimiter="\t",
    header=False,
    required=(),
    select=select,
    names=COLUMNS,
    quote="",
    raw_columns=("GLOBALEVENTID", "SQLDATE", "EventCode", "ActionGeo_CountryCode"),
)
