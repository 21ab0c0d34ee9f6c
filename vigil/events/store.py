"""The event store: one DuckDB file in the data directory with events, quarantine and ingests.

:class:`EventStore` only knows its path; :meth:`EventStore.connect` opens DuckDB with bounded memory
and a spill directory and creates the schema if needed. :func:`country_macros` defines the country
lookups the readers call. Every write goes through :mod:`vigil.events.ingest`, inside one
transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from vigil.countries import code_tables, converter
from vigil.events.model import EVENT_COLUMNS
from vigil.settings import Settings

STORE_FILE = "events.duckdb"
#: DuckDB's memory limit when none is given (``Settings.event_memory_limit``).
MEMORY_LIMIT = "1GB"

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS events ({", ".join(f"{n} {t}" for n, t, _ in EVENT_COLUMNS)},
    ingested_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS quarantine (
    source VARCHAR, file VARCHAR, row BIGINT, reason VARCHAR, raw VARCHAR,
    quarantined_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS ingests (
    file VARCHAR, source VARCHAR, sha256 VARCHAR, read BIGINT, ingested BIGINT, updated BIGINT,
    unchanged BIGINT, quarantined BIGINT, vigil_version VARCHAR, ingested_at TIMESTAMP);
""" + "".join(
    f"ALTER TABLE events ADD COLUMN IF NOT EXISTS {n} {t};\n" for n, t, _ in EVENT_COLUMNS
) + "".join(
    f"ALTER TABLE ingests ADD COLUMN IF NOT EXISTS {column};\n"
    for column in (
        "superseded BIGINT", "duplicates BIGINT", "flagged BIGINT", "layout VARCHAR",
        "release VARCHAR", "dialect VARCHAR",
    )
)  # fmt: skip
"""Tables of the store; stores made by earlier versions gain the newer columns on opening."""


@cache
def country_frames() -> dict[str, pd.DataFrame]:
    """Lookup tables the readers use: GW → ISO3, FIPS → ISO3, ISO3 → GW, COW, ISO numeric."""
    tables = code_tables()
    gw = pd.DataFrame(list(tables.gw.items()), columns=["gwno", "iso3"])
    fips = pd.DataFrame(list(tables.fips.items()), columns=["fips", "iso3"])
    iso_gw = {iso3: gwno for gwno, iso3 in tables.gw.items()}
    data = converter().data[["ISO3", "ISOnumeric"]].dropna()
    iso = pd.DataFrame({"iso3": data["ISO3"].astype(str), "isonum": data["ISOnumeric"]})
    iso["isonum"] = pd.to_numeric(iso["isonum"], errors="coerce").astype("Int64")
    iso["gwno"] = iso["iso3"].map(iso_gw).astype("Int64")
    iso["cown"] = iso["iso3"].map(tables.cow).astype("Int64")
    return {"country_gw": gw, "country_fips": fips, "country_iso": iso}


COUNTRY_TYPE = "STRUCT(iso3 VARCHAR, gwno INTEGER, cown INTEGER)"


def _sql_literal(value: object) -> str:
    if pd.isna(value):  # type: ignore[call-overload]
        return "NULL"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(int(value))  # type: ignore[call-overload]


def _country_macro(name: str, keys: pd.DataFrame, key_type: str) -> str:
    """A temporary macro mapping a code (first column of ``keys``, beside its ``iso3``) to the
    country's ISO3, GW and COW codes through one constant MAP; NULL for an unknown code."""
    iso = country_frames()["country_iso"][["iso3", "gwno", "cown"]]
    rows = keys.dropna().merge(iso, on="iso3", how="left")
    entries = ", ".join(
        f"{_sql_literal(key)}: {{'iso3': {_sql_literal(iso3)}, 'gwno': {_sql_literal(gwno)}, "
        f"'cown': {_sql_literal(cown)}}}"
        for key, iso3, gwno, cown in rows.itertuples(index=False)
    )
    return (
        f"CREATE OR REPLACE TEMP MACRO {name}(k) AS "
        f"(MAP {{{entries}}}::MAP({key_type}, {COUNTRY_TYPE}))[k];"
    )


@cache
def country_macros() -> str:
    """SQL defining the country lookups the readers call: ``country_of_gw``,
    ``country_of_fips``, ``country_of_isonum`` and ``country_of_iso3`` each give a struct of
    ``iso3``, ``gwno`` and ``cown``.

    Lookups are expressions rather than joins so that staging a file stays a single-table scan,
    which DuckDB runs in parallel while keeping the file's row order (a join keeps no order).
    """
    frames = country_frames()
    iso = frames["country_iso"]
    macros = [
        ("country_of_gw", frames["country_gw"][["gwno", "iso3"]], "BIGINT"),
        ("country_of_fips", frames["country_fips"][["fips", "iso3"]], "VARCHAR"),
        ("country_of_isonum", iso[["isonum", "iso3"]], "BIGINT"),
        ("country_of_iso3", iso[["iso3"]].assign(key=iso["iso3"])[["key", "iso3"]], "VARCHAR"),
    ]
    return "\n".join(_country_macro(*macro) for macro in macros)


@dataclass(frozen=True, slots=True)
class EventStore:
    """The event store at ``path`` (a DuckDB file); opening it is explicit, never implicit."""

    path: Path
    memory_limit: str = MEMORY_LIMIT

    @classmethod
    def from_settings(cls, settings: Settings) -> EventStore:
        """The store inside the settings' data directory (``<VIGIL_HOME>/events.duckdb``)."""
        return cls(settings.home / STORE_FILE, memory_limit=settings.event_memory_limit)

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """An open connection with the schema and country tables in place; closed on exit."""
        from vigil.files import make_dirs, make_private

        make_dirs(self.path.parent)
        if read_only and not self.path.exists():
            read_only = False
        config: dict[str, str | bool | int | float | list[str]] = {
            "memory_limit": self.memory_limit
        }
        con = duckdb.connect(str(self.path), read_only=read_only, config=config)
        wal = self.path.with_name(self.path.name + ".wal")
        make_private(self.path, wal)
        try:
            spill = self.path.parent / "events.tmp"
            con.execute(f"SET temp_directory='{spill}'")
            con.execute("SET preserve_insertion_order=true")
            # progress is polled by the caller (query_progress); DuckDB must not print its own
            con.execute("SET enable_progress_bar=true")
            con.execute("SET enable_progress_bar_print=false")
            if not read_only:
                con.execute(SCHEMA)
            yield con
        finally:
            make_private(wal)
            con.close()
            make_private(self.path, wal)

    def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run one read query and return its result as a DataFrame."""
        with self.connect() as con:
            return con.execute(sql, params or []).df()

    def month_range(self) -> tuple[str, str] | None:
        """The first and last event month (``YYYY-MM``), or None for an empty store."""
        with self.connect() as con:
            row = con.execute(
                "SELECT strftime(min(month), '%Y-%m'), strftime(max(month), '%Y-%m') FROM events"
            ).fetchone()
        return None if row is None or row[0] is None else (str(row[0]), str(row[1]))

    def stats(self) -> dict[str, Any]:
        """Counts for ``vigil events stats``: events, by source, by violence type, quarantined."""
        with self.connect() as con:
            total = con.execute("SELECT count(*) FROM events").fetchone()
            by_source = con.execute(
                "SELECT source, count(*) FROM events GROUP BY 1 ORDER BY 1"
            ).fetchall()
            by_type = con.execute(
                "SELECT violence_type, count(*) FROM events GROUP BY 1 ORDER BY 1"
            ).fetchall()
            bad = con.execute("SELECT count(*) FROM quarantine").fetchone()
            flagged = con.execute("SELECT count(*) FROM events WHERE flags IS NOT NULL").fetchone()
        return {
            "events": int(total[0]) if total else 0,
            "by_source": {str(k): int(v) for k, v in by_source},
            "by_type": {str(k): int(v) for k, v in by_type},
            "quarantined": int(bad[0]) if bad else 0,
            "flagged": int(flagged[0]) if flagged else 0,
        }

    def provenance(self) -> dict[str, Any]:
        """What the store's contents derive from: each ingested file's sha256 (with its release
        and layout), combined into one."""
        import hashlib

        from vigil import __version__

        with self.connect() as con:
            rows = con.execute(
                "SELECT DISTINCT file, sha256, release, layout FROM ingests ORDER BY ALL"
            ).fetchall()
        keys = ("file", "sha256", "release", "layout")
        files = [dict(zip(keys, row, strict=True)) for row in rows]
        combined = hashlib.sha256("".join(f["sha256"] for f in files).encode()).hexdigest()
        return {"data_sha256": combined, "files": files, "vigil_version": __version__}

    def quarantine(self, limit: int | None = None) -> pd.DataFrame:
        """Quarantined rows with their reason, file and row number, in file order."""
        sql = "SELECT source, file, row, reason, raw, quarantined_at FROM quarantine"
        sql += " ORDER BY file, row"
        return self.query(sql + (f" LIMIT {int(limit)}" if limit else ""))
