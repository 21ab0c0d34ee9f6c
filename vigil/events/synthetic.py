"""Generators of synthetic event files in the exact layouts of GDELT 2.0, UCDP GED and ACLED.

ACLED's terms forbid redistributing its rows, so its tests run on synthetic files; the GDELT- and
GED-shaped generators serve the scale tests and the benchmark. Files are written by DuckDB from a
deterministic hash of the row number and the seed, so the same call gives the same bytes and a
10-million-row file takes seconds, not minutes.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from vigil.events import acled, gdelt

GED_COLUMNS = [
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "gwnoa",
    "gwnob",
]

# (FIPS, GW number, name) of the countries synthetic events fall in.
COUNTRIES = (
    ("SY", 652, "Syria"),
    ("SU", 625, "Sudan"),
    ("BM", 775, "Myanmar (Burma)"),
    ("CG", 490, "DR Congo (Zaire)"),
    ("ET", 530, "Ethiopia"),
    ("NI", 475, "Nigeria"),
    ("YM", 678, "Yemen (North Yemen)"),
    ("AF", 700, "Afghanistan"),
)
ACLED_COUNTRIES = (
    (760, "Syria"),
    (729, "Sudan"),
    (104, "Myanmar"),
    (180, "Democratic Republic of Congo"),
    (231, "Ethiopia"),
    (566, "Nigeria"),
)


def _u(seed: int, salt: int) -> str:
    """SQL: a uniform number in [0, 1) from the row number ``i``, the seed and a salt."""
    return f"(hash(i, {seed}, {salt}) % 1000000)::DOUBLE / 1000000"


def _pick(options: tuple[str, ...], seed: int, salt: int) -> str:
    items = ", ".join("'" + option.replace("'", "''") + "'" for option in options)
    return f"[{items}][1 + (hash(i, {seed}, {salt}) % {len(options)})::INTEGER]"


def _copy(select: str, path: Path, *, delimiter: str, header: bool) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    compression = "gzip" if path.name.endswith(".gz") else "none"
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar_print=false")
        con.execute(
            f"COPY ({select}) TO '{path}' (FORMAT csv, DELIMITER '{delimiter}', "
            f"HEADER {str(header).lower()}, QUOTE '\"', COMPRESSION {compression})"
        )
    return path


def gdelt_file(path: Path, rows: int, *, seed: int = 0, start_id: int = 1_000_000_000) -> Path:
    """Write ``rows`` GDELT 2.0 export rows (61 tab-separated fields, no header) to ``path``."""
    fips = _pick(tuple(c[0] for c in COUNTRIES), seed, 1)
    root = _pick(("01", "04", "14", "18", "19", "20", "05", "14", "19", "20"), seed, 2)
    actor2 = _pick(("CVL", "MIL", "REB", "", "GOV", "CVL"), seed, 3)
    actor1 = _pick(("MIL", "REB", "GOV", "", "COP"), seed, 4)
    day = f"DATE '2016-01-01' + ((hash(i, {seed}, 5) % 1461)::INTEGER)"
    values = {name: "''" for name in gdelt.COLUMNS}
    values.update(
        GLOBALEVENTID=f"{start_id} + i",
        SQLDATE=f"strftime({day}, '%Y%m%d')",
        MonthYear=f"strftime({day}, '%Y%m')",
        Year=f"strftime({day}, '%Y')",
        FractionDate="'2016.0014'",
        Actor1Code=f"{fips} || {actor1}",
        Actor1Name="'ACTOR ONE'",
        Actor1Type1Code=actor1,
        Actor2Code=f"{fips} || {actor2}",
        Actor2Name="'ACTOR TWO'",
        Actor2Type1Code=actor2,
        IsRootEvent="'1'",
        EventCode=f"{root} || '0'",
        EventBaseCode=f"{root} || '0'",
        EventRootCode=root,
        QuadClass="'4'",
        GoldsteinScale="'-10.0'",
        NumMentions="'3'",
        NumSources="'1'",
        NumArticles="'3'",
        AvgTone=f"round(-10 * {_u(seed, 6)}, 6)::VARCHAR",
        ActionGeo_Type="'4'",
        ActionGeo_FullName=f"'Town ' || (hash(i, {seed}, 7) % 50)::VARCHAR",
        ActionGeo_CountryCode=fips,
        ActionGeo_ADM1Code=f"{fips} || lpad(((hash(i, {seed}, 8) % 14) + 1)::VARCHAR, 2, '0')",
        ActionGeo_Lat=f"round(30 * {_u(seed, 9)}, 4)::VARCHAR",
        ActionGeo_Long=f"round(40 * {_u(seed, 10)}, 4)::VARCHAR",
        ActionGeo_FeatureID="'-3096949'",
        DATEADDED=f"strftime({day}, '%Y%m%d') || '220000'",
        SOURCEURL="'https://news.example.org/' || i::VARCHAR",
    )
    select = ", ".join(f'{expr} AS "{name}"' for name, expr in values.items())
    return _copy(f"SELECT {select} FROM range({rows}) t(i)", path, delimiter="\t", header=False)


def ged_file(path: Path, rows: int, *, seed: int = 0, start_id: int = 1) -> Path:
    """Write ``rows`` UCDP GED events in the 49-column layout (with header) to ``path``."""
    country = f"(hash(i, {seed}, 1) % {len(COUNTRIES)})::INTEGER"
    names = "[" + ", ".join("'" + c[2] + "'" for c in COUNTRIES) + f"][1 + {country}]"
    gws = "[" + ", ".join(str(c[1]) for c in COUNTRIES) + f"][1 + {country}]"
    day = f"DATE '2016-01-01' + ((hash(i, {seed}, 2) % 1461)::INTEGER)"
    best = f"(hash(i, {seed}, 3) % 20)::INTEGER"
    civ = f"CASE WHEN hash(i, {seed}, 4) % 3 = 0 THEN {best} ELSE 0 END"
    values = {name: "''" for name in GED_COLUMNS}
    values.update(
        id=f"{start_id} + i",
        year=f"year({day})",
        type_of_violence=f"1 + (hash(i, {seed}, 5) % 3)::INTEGER",
        side_a="'Government of ' || " + names,
        side_b=_pick(("Civilians", "IS", "Rebels A", "Rebels B"), seed, 6),
        source_article="'synthetic'",
        adm_1=names + " || ' province ' || ((hash(i, " + f"{seed}, 7) % 14) + 1)::VARCHAR",
        adm_2="'district'",
        latitude=f"round(30 * {_u(seed, 8)}, 4)",
        longitude=f"round(40 * {_u(seed, 9)}, 4)",
        country=names,
        country_id=gws,
        region="'Middle East'",
        date_prec="1",
        date_start=f"strftime({day}, '%Y-%m-%d 00:00:00.000')",
        date_end=f"strftime({day}, '%Y-%m-%d 00:00:00.000')",
        deaths_civilians=civ,
        best=best,
        high=f"{best} + 2",
        low=f"greatest({best} - 2, 0)",
    )
    select = ", ".join(f'{expr} AS "{name}"' for name, expr in values.items())
    return _copy(f"SELECT {select} FROM range({rows}) t(i)", path, delimiter=",", header=True)


def acled_file(
    path: Path, rows: int, *, seed: int = 0, start_id: int = 1, timestamp: int = 1_700_000_000
) -> Path:
    """Write ``rows`` events in ACLED's current 31-column layout (with header) to ``path``."""
    country = f"(hash(i, {seed}, 1) % {len(ACLED_COUNTRIES)})::INTEGER"
    isos = "[" + ", ".join(str(c[0]) for c in ACLED_COUNTRIES) + f"][1 + {country}]"
    names = "[" + ", ".join("'" + c[1] + "'" for c in ACLED_COUNTRIES) + f"][1 + {country}]"
    day = f"DATE '2020-01-01' + ((hash(i, {seed}, 2) % 1461)::INTEGER)"
    event_type = _pick(
        (
            "Battles",
            "Violence against civilians",
            "Protests",
            "Riots",
            "Explosions/Remote violence",
            "Strategic developments",
        ),
        seed,
        3,
    )
    values = {name: "''" for name in acled.COLUMNS}
    values.update(
        event_id_cnty=f"'SYN' || ({start_id} + i)::VARCHAR",
        event_date=f"strftime({day}, '%Y-%m-%d')",
        year=f"year({day})",
        time_precision="1",
        disorder_type="'Political violence'",
        event_type=event_type,
        sub_event_type="'Attack'",
        actor1=_pick(("Military Forces", "Rebel Militia", "Unidentified Armed Group"), seed, 4),
        inter1=_pick(("State forces", "Rebel group", "Identity militia"), seed, 5),
        actor2="'Civilians'",
        inter2="'Civilians'",
        interaction="'State forces-Civilians'",
        civilian_targeting=f"CASE WHEN {event_type} = 'Violence against civilians' "
        "THEN 'Civilian targeting' ELSE '' END",
        iso=isos,
        region="'Region'",
        country=names,
        admin1=names + f" || ' admin ' || ((hash(i, {seed}, 6) % 10) + 1)::VARCHAR",
        admin2="'Admin2'",
        location="'Town'",
        latitude=f"round(30 * {_u(seed, 7)}, 4)",
        longitude=f"round(40 * {_u(seed, 8)}, 4)",
        geo_precision="1",
        source="'Synthetic Source'",
        source_scale="'National'",
        notes="'On a date, something, happened; \"quoted\".'",
        fatalities=f"(hash(i, {seed}, 9) % 8)::INTEGER",
        tags="''",
        timestamp=str(timestamp),
    )
    select = ", ".join(f'{expr} AS "{name}"' for name, expr in values.items())
    return _copy(f"SELECT {select} FROM range({rows}) t(i)", path, delimiter=",", header=True)


def escalation_panel(
    units: int = 40, months: int = 60, *, seed: int = 0, start: str = "2015-01-01"
) -> pd.DataFrame:
    """A complete admin1-month panel whose violence follows latent escalation episodes.

    Each unit's log intensity is an AR(1) process around its own level; episodes ramp it up over
    a few months and decay. Civilian deaths are negative-binomial around the intensity; a
    unit-specific share of them is one-sided violence. Used to judge forecasts where real data
    are too thin (the Syrian one-sided target has 16 positive months).
    """
    rng = np.random.default_rng(seed)
    index = pd.date_range(start, periods=months, freq="MS")
    frames = []
    for unit in range(units):
        level = rng.normal(0.5, 1.2)
        latent, episode = level, 0.0
        share = rng.beta(2, 5)
        rows = []
        for _ in range(months):
            if episode <= 0 and rng.random() < 0.04:
                episode = rng.uniform(2.0, 4.0)
            latent = level + 0.6 * (latent - level) + rng.normal(0, 0.5) + episode
            episode = episode * 0.7 if episode > 0.2 else 0.0
            mean = float(np.exp(min(latent, 7.0)))
            civilians = int(rng.negative_binomial(2, 2 / (2 + mean)))
            one_sided = int(rng.binomial(civilians, share))
            fatalities = civilians + int(rng.poisson(mean / 2))
            rows.append((civilians, one_sided, fatalities))
        frame = pd.DataFrame(
            rows, columns=["civilian_deaths", "fatalities_one_sided", "fatalities"]
        )
        frame.insert(0, "month", index)
        frame.insert(0, "admin1", f"Unit {unit:02d}")
        frame.insert(0, "iso3", "SYN")
        frames.append(frame)
    panel = pd.concat(frames, ignore_index=True)
    panel["events"] = (panel["fatalities"] > 0).astype("int64")
    return panel
