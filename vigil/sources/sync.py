"""Sync: bring each configured source up to date, one committed batch at a time.

For every source the provider yields batches; each is ingested in one transaction and only then
is the watermark moved past it. A failure anywhere (5xx after the retries, a timeout, a dropped
connection, a refused checksum, ``kill -9``) therefore leaves the store as it was before the
current batch and the watermark before it too, so the next sync fetches that batch again and the
idempotent merge adds nothing twice. Every outcome is recorded: the source's state (status,
error) and a line in the run log. One file lock in the data directory makes sure that only one
process syncs a store at a time.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import duckdb
import httpx
from filelock import FileLock, Timeout

from vigil.errors import ConflictError, NotFoundError, VigilError
from vigil.events.store import EventStore
from vigil.settings import Settings
from vigil.sources import acled, gdelt, registry, ucdp
from vigil.sources.batch import COUNTS, Batch, ingest_batch
from vigil.sources.client import Http, new_client
from vigil.sources.context import Progress, SyncContext
from vigil.sources.freshness import write_sidecar
from vigil.sources.registry import Kind, SourceSpec, SourceState
from vigil.workspace.outbound import OutboundPolicy

if TYPE_CHECKING:
    from vigil.workspace.database import Database

log = logging.getLogger(__name__)
LOCK_FILE = "sync.lock"
Provider = Callable[[SourceSpec, SourceState, SyncContext], Iterator[Batch]]
PROVIDERS: dict[Kind, Provider] = {
    Kind.UCDP_GED: ucdp.batches,
    Kind.UCDP_CANDIDATE: ucdp.batches,
    Kind.ACLED: acled.batches,
    Kind.GDELT2: gdelt.batches,
}
OnArrival = Callable[[EventStore, datetime], None]
"""Called after a sync that changed events, with the store and when the sync began."""


@dataclass(slots=True)
class SyncResult:
    """One source's sync, as ``vigil sync --json`` prints it."""

    source: str
    kind: str
    status: str = "ok"
    error: str | None = None
    fetched: int = 0
    ingested: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0
    quarantined: int = 0
    through: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dict."""
        return asdict(self)

    @property
    def changed(self) -> int:
        """Events added, replaced or superseded."""
        return self.ingested + self.updated + self.superseded


def utcnow() -> datetime:
    """Now, in UTC, without a time zone (as the store keeps times)."""
    return datetime.now(UTC).replace(tzinfo=None)


def is_due(spec: SourceSpec, state: SourceState | None, now: datetime) -> bool:
    """Whether a source should sync now: never tried, or last tried an interval ago or more."""
    if state is None or state.last_attempt is None:
        return True
    return now - state.last_attempt >= spec.interval


@contextmanager
def sync_lock(settings: Settings, wait: float) -> Iterator[None]:
    """Hold the data directory's sync lock (waiting up to ``wait`` seconds), or ConflictError."""
    path = settings.ensure_home() / LOCK_FILE
    lock = FileLock(str(path), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise ConflictError(f"another sync is running on this data directory ({path})") from None
    try:
        yield
    finally:
        lock.release()


def sync(
    settings: Settings,
    names: Sequence[str] = (),
    *,
    env: Mapping[str, str],
    wait: float = 0.0,
    progress: Progress | None = None,
    workspace: Callable[[], Database] | None = None,
    on_arrival: OnArrival | None = None,
    client: Any = None,
) -> list[SyncResult]:
    """Sync the named sources (every due source when none are named) under the sync lock;
    with a Dask ``client``, batches are parsed and validated on the cluster."""
    store = EventStore.from_settings(settings)
    with sync_lock(settings, wait):
        chosen = _chosen(store, names)
        started = utcnow()
        results = [
            sync_one(
                store,
                settings,
                spec,
                env=env,
                progress=progress,
                workspace=workspace,
                client=client,
            )
            for spec in chosen
        ]
        if on_arrival is not None and any(r.changed for r in results):
            on_arrival(store, started)
    return results


def _chosen(store: EventStore, names: Sequence[str]) -> list[SourceSpec]:
    specs = registry.specs(store, read_only=True)  # a round with nothing due writes nothing
    if names:
        known = {spec.name: spec for spec in specs}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise NotFoundError(f"no source named {unknown[0]!r}: see `vigil sources list`")
        return [known[name] for name in dict.fromkeys(names)]
    states, now = registry.states(store, read_only=True), utcnow()
    return [spec for spec in specs if is_due(spec, states.get(spec.name), now)]


def sync_one(
    store: EventStore,
    settings: Settings,
    spec: SourceSpec,
    *,
    env: Mapping[str, str],
    progress: Progress | None = None,
    workspace: Callable[[], Database] | None = None,
    client: Any = None,
) -> SyncResult:
    """Sync one source now; failures are caught, recorded and returned, never raised."""
    state = registry.states(store).get(spec.name) or SourceState(spec.name)
    started = state.last_attempt = utcnow()
    state.status, state.error = "running", None
    registry.save_state(store, state)
    result = SyncResult(spec.name, spec.kind.value)
    work = settings.home / "sources" / spec.name
    shutil.rmtree(work, ignore_errors=True)
    try:
        with new_client(settings.sync_timeout) as transport:
            http = Http(
                transport,
                retries=settings.sync_retries,
                backoff=settings.sync_backoff,
                gap=settings.sync_request_gap,
            )
            policy = OutboundPolicy.from_settings(settings)
            ctx = SyncContext(
                http, env, work, settings.sync_batch_rows, started.date(), progress, policy
            )
            _run(store, spec, state, ctx, result, workspace, client)
        state.status, state.last_success = "ok", utcnow()
    except (VigilError, httpx.HTTPError, OSError, duckdb.Error) as err:
        state.status = result.status = "failed"
        state.error = result.error = " ".join(str(err).split()) or type(err).__name__
    finally:
        shutil.rmtree(work, ignore_errors=True)
        result.through = state.through.isoformat() if state.through else None
        registry.save_state(store, state)
        registry.record_run(store, started, result.as_dict())
        _publish(store)
    return result


def _publish(store: EventStore) -> None:
    """Write ``sources.json`` for the pages; a failure only leaves them a sync behind."""
    try:
        write_sidecar(store)
    except (duckdb.Error, OSError, VigilError) as err:
        log.warning("could not write the sources' freshness file: %s", err)


def _run(
    store: EventStore,
    spec: SourceSpec,
    state: SourceState,
    ctx: SyncContext,
    result: SyncResult,
    workspace: Callable[[], Database] | None,
    client: Any = None,
) -> None:
    if spec.kind is Kind.FEED:
        _run_feed(spec, state, result, workspace, ctx.feed_policy)
        return
    for batch in PROVIDERS[spec.kind](spec, state, ctx):
        counts = ingest_batch(store, batch, client) if batch.files else dict.fromkeys(COUNTS, 0)
        result.fetched += batch.fetched
        for name, value in counts.items():
            setattr(result, name, getattr(result, name) + value)
        state.watermark = batch.watermark
        state.through = _later(state.through, batch.through)
        registry.save_state(store, state)
        for path in batch.files:
            path.unlink(missing_ok=True)


def _run_feed(
    spec: SourceSpec,
    state: SourceState,
    result: SyncResult,
    workspace: Callable[[], Database] | None,
    policy: OutboundPolicy | None,
) -> None:
    from vigil.sources.feeds import sync_feed

    if workspace is None:
        raise VigilError("a feed source needs the workspace database, and none was given")
    outcome = sync_feed(spec, workspace(), policy=policy)
    result.fetched, result.ingested, result.unchanged = (
        outcome.fetched,
        outcome.ingested,
        outcome.unchanged,
    )
    state.watermark = outcome.watermark
    state.through = _later(state.through, outcome.through)


def _later(first: date | None, second: date | None) -> date | None:
    return max((d for d in (first, second) if d is not None), default=None)
