"""UCDP Georeferenced Event Dataset (GED) reader: the 49-column CSV of GED 19.1–25.1, the monthly
candidate files (``GEDEvent_v25_0_10``) and extracts with fewer columns.

GED codes countries by Gleditsch-Ward number (``country_id``), violence by UCDP type (1 state-based,
2 non-state, 3 one-sided), and gives best/low/high death estimates. About 1% of real events have a
best estimate outside their own [low, high]; they are kept and flagged, not quarantined.
"""

from __future__ import annotations

from vigil.events.reader import Reader, bad_count, column_or_null, decimal, nonneg_int

REQUIRED = (
    "id",
    "type_of_violence",
    "side_a",
    "side_b",
    "country",
    "country_id",
    "date_start",
    "date_end",
    "best",
    "low",
    "high",
)
COUNTS = ("best", "low", "high", "deaths_civilians")
_COUNTRY = "country_of_gw(TRY_CAST(r.country_id AS INTEGER))"


def _date(column: str) -> str:
    return f"TRY_CAST(left(trim(r.{column}), 10) AS DATE)"


def select(present: frozenset[str]) -> str:
    """Normalising SQL for one GED row of relation ``r`` (Gleditsch-Ward number mapped to ISO3)."""
    col = lambda name: column_or_null(name, present)  # noqa: E731
    best, low, high = nonneg_int("r.best"), nonneg_int("r.low"), nonneg_int("r.high")
    bad_counts = " ".join(
        f"WHEN {bad_count(col(name))} THEN 'negative or non-integer {name}: ' || {col(name)}"
        for name in COUNTS
    )
    return f"""
        'ucdp-ged' AS source,
        trim(r.id) AS source_id,
        0::BIGINT AS version,
        {_date("date_start")} AS date_start,
        {_date("date_end")} AS date_end,
        TRY_CAST({col("date_prec")} AS SMALLINT) AS date_precision,
        date_trunc('month', {_date("date_start")})::DATE AS month,
        {_COUNTRY}.iso3 AS iso3,
        TRY_CAST(r.country_id AS INTEGER) AS gwno,
        {_COUNTRY}.cown AS cown,
        r.country AS country,
        {col("adm_1")} AS admin1,
        {col("adm_2")} AS admin2,
        {decimal(col("latitude"))} AS latitude,
        {decimal(col("longitude"))} AS longitude,
        CASE trim(r.type_of_violence) WHEN '1' THEN 'state_based' WHEN '2' THEN 'non_state'
            WHEN '3' THEN 'one_sided' END AS violence_type,
        r.side_a AS actor1,
        r.side_b AS actor2,
        {best} AS fatalities_best,
        {low} AS fatalities_low,
        {high} AS fatalities_high,
        {nonneg_int(col("deaths_civilians"))} AS civilian_deaths,
        trim(r.type_of_violence) = '3' AS civilian_targeting,
        NULL::VARCHAR AS disorder_type,
        {col("source_article")} AS source_ref,
        CASE WHEN {best} < {low} OR {best} > {high} THEN 'best_outside_low_high' END AS flags,
        CASE
            WHEN NULLIF(trim(r.id), '') IS NULL THEN 'missing id'
            WHEN {_date("date_start")} IS NULL
                THEN 'unparsable date_start: ' || coalesce(r.date_start, '')
            WHEN {_date("date_end")} IS NULL
                THEN 'unparsable date_end: ' || coalesce(r.date_end, '')
            WHEN {_COUNTRY} IS NULL
                THEN 'unknown country: country_id ' || coalesce(r.country_id, '')
                || ' (' || coalesce(r.country, '') || ')'
            WHEN trim(r.type_of_violence) NOT IN ('1', '2', '3') OR r.type_of_violence IS NULL
                THEN 'unknown type_of_violence: ' || coalesce(r.type_of_violence, '')
            {bad_counts}
            WHEN {best} IS NULL THEN 'missing best'
        END AS reason"""


READER = Reader(
    source="ucdp-ged",
    select=select,
    raw_columns=("id", "date_start", "country_id", "country", "type_of_violence", "best"),
)
