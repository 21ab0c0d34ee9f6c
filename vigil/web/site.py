"""The web site's state and start-up: the risk snapshot, the first-run seed, event activity.

:func:`routers` returns one router whose lifespan runs after the API has opened the database:
it builds or loads the risk snapshot, seeds a fresh data directory (printing the admin's
one-time password), and reads the event store. ``vigil serve`` mounts it on the API's app.
"""

from __future__ import annotations

import gzip
import json
import logging
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from vigil.risk.picture import RiskPicture
from vigil.settings import Settings
from vigil.web.activity import Activity
from vigil.web.cache import PageCache
from vigil.web.charts import sparkline
from vigil.web.seed import SeedResult, ensure_seeded
from vigil.web.snapshot import load_snapshot
from vigil.workspace.database import Database

log = logging.getLogger(__name__)


@dataclass
class WebState:
    """What every page reads: built once at start-up, shared by all requests."""

    settings: Settings
    db: Database
    snapshot: RiskPicture
    activity: Activity
    sparklines: dict[str, str]
    geojson_gz: bytes
    pages: PageCache = field(default_factory=PageCache)


def prepare(db: Database, settings: Settings) -> tuple[WebState, SeedResult]:
    """Build the site's state, seeding the data directory on its first run."""
    from vigil.web.geometry import world_geojson

    snapshot = load_snapshot(settings, quick=True)
    seeded = ensure_seeded(db, settings, snapshot)
    activity = Activity()
    activity.refresh(settings)
    geo = gzip.compress(json.dumps(world_geojson(), separators=(",", ":")).encode(), 6)
    state = WebState(settings, db, snapshot, activity, _sparklines(snapshot), geo)
    if not snapshot.complete:
        threading.Thread(target=complete, args=(state,), daemon=True).start()
    return state, seeded


def _sparklines(snapshot: RiskPicture) -> dict[str, str]:
    return {c["iso3"]: sparkline(c["history"]) for c in snapshot.countries}


def complete(state: WebState) -> None:
    """Finish an incomplete snapshot (last year's refit) and swap it in, off the request path."""
    try:
        full = load_snapshot(state.settings)
    except Exception:  # a failed background refit must not take the server down
        log.exception("could not complete the risk snapshot; serving it without last year")
        return
    state.snapshot, state.sparklines = full, _sparklines(full)
    state.pages.clear()


def announce(result: SeedResult, out: Any = None) -> None:
    """Tell the operator what the first run did, including the one-time admin password."""
    out = out or sys.stdout
    if not result.seeded:
        return
    out.write(f"vigil: first run: seeded {result.events} events and {result.alerts} alerts\n")
    if result.admin_password:
        out.write(
            "vigil: created user 'admin' (role admin); one-time password: "
            f"{result.admin_password}\n"
            "vigil: it is shown only now and works once: sign in at /login and choose your own\n"
        )
    out.flush()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Prepare the site after the API has opened and migrated the database."""
    state, seeded = await run_in_threadpool(prepare, app.state.db, app.state.settings)
    app.state.web = state
    announce(seeded)
    yield


async def web_state(request: Request) -> WebState:
    """The site's state (fresh event activity if the store changed)."""
    state: WebState = request.app.state.web
    return state
