"""ACLED export reader: the current 31-column CSV layout.

ACLED codes countries by ISO 3166 numeric (``iso``), events by type (battles, explosions/remote
violence, violence against civilians, protests, riots, strategic developments) and marks events
that targeted civilians in ``civilian_targeting``. Its ``timestamp`` is the row's version: a later
export of the same ``event_id_cnty`` replaces the earlier one.
"""

from __future__ import annotations

from vigil.events.reader import Reader, bad_count, nonneg_int

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

_DATE = (
    "coalesce(TRY_STRPTIME(trim(r.event_date), '%Y-%m-%d'), "
    "TRY_STRPTIME(trim(r.event_date), '%d %B %Y'))::DATE"
)
_COUNTRY = "country_of_isonum(TRY_CAST(r.iso AS INTEGER))"
_STATE = "(r.inter1 IN ('State forces', '1') OR r.inter2 IN ('State forces', '1'))"


def select(present: frozenset[str]) -> str:
    """Normalising SQL for one ACLED row of relation ``r`` (ISO numeric mapped to ISO3)."""
    fatalities = nonneg_int("r.fatalities")
    return f"""
        'acled' AS source,
        trim(r.event_id_cnty) AS source_id,
        coalesce(TRY_CAST(r.timestamp AS BIGINT), 0) AS version,
        {_DATE} AS date_start,
        {_DATE} AS date_end,
        TRY_CAST(r.time_precision AS SMALLINT) AS date_precision,
        date_trunc('month', {_DATE})::DATE AS month,
        {_COUNTRY}.iso3 AS iso3,
        {_COUNTRY}.gwno AS gwno,
        {_COUNTRY}.cown AS cown,
        r.country AS country,
        NULLIF(r.admin1, '') AS admin1,
        NULLIF(r.admin2, '') AS admin2,
        TRY_CAST(r.latitude AS DOUBLE) AS latitude,
        TRY_CAST(r.longitude AS DOUBLE) AS longitude,
        CASE
            WHEN r.event_type = 'Violence against civilians' THEN 'one_sided'
            WHEN r.event_type IN ('Protests', 'Riots') THEN 'protest_riot'
            WHEN r.event_type IN ('Battles', 'Explosions/Remote violence')
                THEN CASE WHEN {_STATE} THEN 'state_based' ELSE 'non_state' END
            ELSE 'other'
        END AS violence_type,
        r.actor1 AS actor1,
        NULLIF(r.actor2, '') AS actor2,
        {fatalities} AS fatalities_best,
        {fatalities} AS fatalities_low,
        {fatalities} AS fatalities_high,
        CASE WHEN NULLIF(r.civilian_targeting, '') IS NOT NULL THEN {fatalities} ELSE 0 END
            AS civilian_deaths,
        r.source AS source_ref,
        NULL::VARCHAR AS flags,
        CASE
            WHEN NULLIF(trim(r.event_id_cnty), '') IS NULL THEN 'missing event_id_cnty'
            WHEN {_DATE} IS NULL THEN 'unparsable event_date: ' || coalesce(r.event_date, '')
            WHEN {_COUNTRY} IS NULL THEN 'unknown country: iso ' || coalesce(r.iso, '')
                || ' (' || coalesce(r.country, '') || ')'
            WHEN {bad_count("r.fatalities")}
                THEN 'negative or non-integer fatalities: ' || r.fatalities
        END AS reason"""


READER = Reader(
    source="acled",
    delimiter=",",
    header=True,
    required=COLUMNS,
    select=select,
    raw_columns=("event_id_cnty", "event_date", "iso", "country", "fatalities"),
)
