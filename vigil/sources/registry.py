"""The source registry: which sources Vigil keeps itself current from, and where each one stands.

Definitions, sync state (watermark, last status) and a log of every run live in the event store
(DuckDB) beside the events they describe: a backup of the store carries its own sync state, the
freshness shown beside a number is read from the same file as the number, and a watermark can only
move after the batch it covers has been committed there. Credentials are never stored: a source
names the environment variables that hold them, and those are read at sync time.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import urlsplit

import duckdb

from vigil.countries import gw_for_iso3, name_for_iso3
from vigil.errors import NotFoundError, UsageError
from vigil.events.store import EventStore


class Kind(StrEnum):
    """The kinds of source Vigil can sync."""

    UCDP_GED = "ucdp-ged"
    UCDP_CANDIDATE = "ucdp-candidate"
    ACLED = "acled"
    GDELT2 = "gdelt2"
    FEED = "feed"


ROOTS = {
    Kind.UCDP_GED: "https://ucdpapi.pcr.uu.se/api",
    Kind.UCDP_CANDIDATE: "https://ucdpapi.pcr.uu.se/api",
    Kind.ACLED: "https://acleddata.com",
    Kind.GDELT2: "http://data.gdeltproject.org/gdeltv2",
}
RELEASES = {Kind.UCDP_GED: "25.1", Kind.UCDP_CANDIDATE: "25.0.10"}
EVERY = {"15m": 900, "1h": 3600, "1d": 86400, "1w": 604800}
DEFAULT_EVERY = {
    Kind.UCDP_GED: "1w",
    Kind.UCDP_CANDIDATE: "1d",
    Kind.ACLED: "1d",
    Kind.GDELT2: "15m",
    Kind.FEED: "1h",
}
T = TypeVar("T")
BUSY = (duckdb.ConnectionException, duckdb.IOException)
BUSY_ATTEMPTS = 40
BUSY_PAUSE = 0.25
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_RELEASE = {
    Kind.UCDP_GED: re.compile(r"^\d{2}\.1$"),
    Kind.UCDP_CANDIDATE: re.compile(r"^\d{2}\.0\.(?:[1-9]|1[0-2])$"),
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    name VARCHAR PRIMARY KEY, kind VARCHAR, url VARCHAR, release VARCHAR, countries VARCHAR,
    since DATE, every VARCHAR, token_env VARCHAR, user_env VARCHAR, password_env VARCHAR,
    created_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS source_state (
    name VARCHAR PRIMARY KEY, watermark VARCHAR, through DATE, last_attempt TIMESTAMP,
    last_success TIMESTAMP, status VARCHAR, error VARCHAR);
CREATE TABLE IF NOT EXISTS source_runs (
    name VARCHAR, kind VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, status VARCHAR,
    error VARCHAR, fetched BIGINT, ingested BIGINT, updated BIGINT, unchanged BIGINT,
    superseded BIGINT, quarantined BIGINT, through DATE);
"""


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One configured source: what to fetch, from where, how often, with which credentials."""

    name: str
    kind: Kind
    url: str
    release: str | None = None
    countries: tuple[str, ...] = ()
    since: date | None = None
    every: str = "1d"
    token_env: str | None = None
    user_env: str | None = None
    password_env: str | None = None
    created_at: datetime | None = None

    @property
    def interval(self) -> timedelta:
        """How often the source is due."""
        return timedelta(seconds=EVERY[self.every])

    def public(self) -> dict[str, Any]:
        """The definition as shown to users (credential variable names included, never values)."""
        return {
            "name": self.name,
            "kind": self.kind.value,
            "url": self.url,
            "release": self.release,
            "countries": list(self.countries),
            "since": self.since.isoformat() if self.since else None,
            "every": self.every,
            "token_env": self.token_env,
            "user_env": self.user_env,
            "password_env": self.password_env,
        }


@dataclass(slots=True)
class SourceState:
    """Where one source stands: its watermark, data horizon and last outcome."""

    name: str
    watermark: dict[str, Any] = field(default_factory=dict)
    through: date | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    status: str | None = None
    error: str | None = None


def make_spec(
    name: str,
    kind: str,
    *,
    url: str | None = None,
    release: str | None = None,
    countries: Sequence[str] = (),
    since: str | date | None = None,
    every: str | None = None,
    token_env: str | None = None,
    user_env: str | None = None,
    password_env: str | None = None,
) -> SourceSpec:
    """A validated source definition; a UsageError names the first field that is wrong."""
    if not _NAME.match(name):
        raise UsageError(f"source name {name!r}: expected letters, digits, '.', '_' or '-'")
    try:
        known = Kind(kind)
    except ValueError:
        raise UsageError(f"--kind {kind!r}: expected one of {', '.join(Kind)}") from None
    every = every or DEFAULT_EVERY[known]
    if every not in EVERY:
        raise UsageError(f"--every {every!r}: expected one of {', '.join(EVERY)}")
    creds = _credentials(known, token_env, user_env, password_env)
    return SourceSpec(
        name=name,
        kind=known,
        url=_root(known, url),
        release=_release(known, release),
        countries=_countries(known, countries),
        since=_since(since),
        every=every,
        token_env=creds["token_env"],
        user_env=creds["user_env"],
        password_env=creds["password_env"],
    )


def _root(kind: Kind, url: str | None) -> str:
    if url is None:
        if kind is Kind.FEED:
            raise UsageError("a feed source needs --url (the RSS or Atom address)")
        return ROOTS[kind]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--url {url!r}: expected an http:// or https:// address")
    return url.rstrip("/") if kind is not Kind.FEED else url


def _release(kind: Kind, release: str | None) -> str | None:
    if kind not in _RELEASE:
        if release is not None:
            raise UsageError(f"--release applies to UCDP sources only, not {kind.value}")
        return None
    release = release or RELEASES[kind]
    if not _RELEASE[kind].match(release):
        shape = "YY.1 (e.g. 25.1)" if kind is Kind.UCDP_GED else "YY.0.M (e.g. 25.0.10)"
        raise UsageError(f"--release {release!r}: a {kind.value} release looks like {shape}")
    return release


def _countries(kind: Kind, countries: Sequence[str]) -> tuple[str, ...]:
    if countries and kind in (Kind.GDELT2, Kind.FEED):
        raise UsageError(f"--country applies to UCDP and ACLED sources, not {kind.value}")
    codes = tuple(sorted({c.strip().upper() for c in countries}))
    for code in codes:
        if name_for_iso3(code) is None:
            raise UsageError(f"--country {code!r}: expected an ISO 3166 alpha-3 code, e.g. SDN")
        if kind in (Kind.UCDP_GED, Kind.UCDP_CANDIDATE) and gw_for_iso3(code) is None:
            raise UsageError(f"--country {code!r}: UCDP has no Gleditsch-Ward number for it")
    return codes


def _since(since: str | date | None) -> date | None:
    if since is None or isinstance(since, date):
        return since
    try:
        return date.fromisoformat(since)
    except ValueError:
        raise UsageError(f"--since {since!r}: expected a date YYYY-MM-DD") from None


def _credentials(
    kind: Kind, token_env: str | None, user_env: str | None, password_env: str | None
) -> dict[str, str | None]:
    given = {"token_env": token_env, "user_env": user_env, "password_env": password_env}
    needed = {
        Kind.UCDP_GED: ("token_env",),
        Kind.UCDP_CANDIDATE: ("token_env",),
        Kind.ACLED: ("user_env", "password_env"),
    }.get(kind, ())
    for key, value in given.items():
        flag = "--" + key.replace("_", "-")
        if value is not None and key not in needed:
            raise UsageError(f"{flag} does not apply to a {kind.value} source")
        if value is None and key in needed:
            raise UsageError(f"a {kind.value} source needs {flag} VAR (the variable's name)")
        if value is not None and not _ENV.match(value):
            raise UsageError(f"{flag} {value!r}: expected an environment variable's name")
    return given


def when_free(call: Callable[[], T], *, attempts: int = BUSY_ATTEMPTS) -> T:
    """``call()``, retried while the store is busy: DuckDB lets one process write a file, and
    one process open it in one mode at a time, so a page read or another process's write can
    hold it for a moment. Safe for ingests too: they are transactional and idempotent."""
    for attempt in range(attempts):
        try:
            return call()
        except BUSY:
            if attempt == attempts - 1:
                raise
            time.sleep(BUSY_PAUSE)
    raise AssertionError("unreachable")


@contextmanager
def connect(store: EventStore, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the store with the registry's tables in place (unless read-only)."""
    with ExitStack() as stack:
        con = when_free(lambda: stack.enter_context(store.connect(read_only=read_only)))
        if not read_only:
            con.execute(SCHEMA)
        yield con


def _rows(store: EventStore, sql: str, read_only: bool) -> list[tuple[Any, ...]]:
    """Rows of a registry query; none when the store or (read-only) the table does not exist."""
    if not store.path.exists():
        return []
    try:
        with connect(store, read_only=read_only) as con:
            return con.execute(sql).fetchall()
    except duckdb.CatalogException:
        return []


def add(store: EventStore, spec: SourceSpec) -> SourceSpec:
    """Register ``spec``; a UsageError when the name is taken."""
    with connect(store) as con:
        if con.execute("SELECT 1 FROM sources WHERE name = ?", [spec.name]).fetchone():
            raise UsageError(f"a source named {spec.name!r} exists already: remove it first")
        created = datetime.now(UTC).replace(tzinfo=None)
        con.execute(
            "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                spec.name,
                spec.kind.value,
                spec.url,
                spec.release,
                ",".join(spec.countries),
                spec.since,
                spec.every,
                spec.token_env,
                spec.user_env,
                spec.password_env,
                created,
            ],
        )
    return get(store, spec.name)


def remove(store: EventStore, name: str) -> None:
    """Forget a source and its sync state (its events stay in the store)."""
    with connect(store) as con:
        if not con.execute("SELECT 1 FROM sources WHERE name = ?", [name]).fetchone():
            raise NotFoundError(f"no source named {name!r}: see `vigil sources list`")
        con.execute("DELETE FROM sources WHERE name = ?", [name])
        con.execute("DELETE FROM source_state WHERE name = ?", [name])


def specs(store: EventStore, *, read_only: bool = False) -> list[SourceSpec]:
    """Every registered source, by name."""
    return [_spec(row) for row in _rows(store, "SELECT * FROM sources ORDER BY name", read_only)]


def get(store: EventStore, name: str) -> SourceSpec:
    """One registered source, or NotFoundError."""
    found = [spec for spec in specs(store) if spec.name == name]
    if not found:
        raise NotFoundError(f"no source named {name!r}: see `vigil sources list`")
    return found[0]


def _spec(row: tuple[Any, ...]) -> SourceSpec:
    name, kind, url, release, countries, since, every, token, user, password, created = row
    return SourceSpec(
        name=name,
        kind=Kind(kind),
        url=url,
        release=release,
        countries=tuple(c for c in (countries or "").split(",") if c),
        since=since,
        every=every,
        token_env=token,
        user_env=user,
        password_env=password,
        created_at=created,
    )


def states(store: EventStore, *, read_only: bool = False) -> dict[str, SourceState]:
    """The sync state of every source that has one."""
    rows = _rows(store, "SELECT * FROM source_state", read_only)
    return {row[0]: SourceState(row[0], json.loads(row[1] or "{}"), *row[2:]) for row in rows}


def save_state(store: EventStore, state: SourceState) -> None:
    """Write one source's state (one short transaction of its own)."""
    with connect(store) as con:
        con.execute("DELETE FROM source_state WHERE name = ?", [state.name])
        con.execute(
            "INSERT INTO source_state VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                state.name,
                json.dumps(state.watermark, sort_keys=True),
                state.through,
                state.last_attempt,
                state.last_success,
                state.status,
                state.error,
            ],
        )


def record_run(store: EventStore, started: datetime, result: dict[str, Any]) -> None:
    """Append one sync run's outcome to the run log."""
    finished = datetime.now(UTC).replace(tzinfo=None)
    keys = ("fetched", "ingested", "updated", "unchanged", "superseded", "quarantined")
    with connect(store) as con:
        con.execute(
            "INSERT INTO source_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [result["source"], result["kind"], started, finished, result["status"]]
            + [result["error"]]
            + [result[k] for k in keys]
            + [result["through"]],
        )
