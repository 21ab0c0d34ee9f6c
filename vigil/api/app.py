"""The application factory: one FastAPI app serving the API (and, later, the web pages)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from cachetools import LRUCache
from fastapi import APIRouter, FastAPI
from sqlalchemy.exc import SQLAlchemyError

from vigil import __version__
from vigil.api import errors
from vigil.api.freshness import FreshnessMiddleware
from vigil.api.headers import SecurityHeaders
from vigil.api.limits import BodyLimit
from vigil.api.routers import (
    alerts,
    assessments,
    audit,
    auth,
    channels,
    events,
    forecasts,
    framework,
    notes,
    reports,
    responses,
    stats,
    users,
)
from vigil.api.security import session_secret
from vigil.errors import VigilError
from vigil.settings import Settings
from vigil.sources.freshness import SIDECAR, SidecarReader
from vigil.workspace.database import open_database
from vigil.workspace.migrations import upgrade

#: Months of computed event signals each application keeps in memory.
SIGNAL_MONTHS_KEPT = 24

log = logging.getLogger(__name__)
API_PREFIX = "/api/v1"
ROUTERS = (
    users,
    audit,
    framework,
    assessments,
    reports,
    notes,
    alerts,
    channels,
    responses,
    forecasts,
    stats,
    events,
)


def create_app(
    settings: Settings,
    *,
    extra_routers: Sequence[APIRouter] = (),
    migrate: bool = True,
    notify_every: float | None = None,
) -> FastAPI:
    """Build the app for ``settings``; the database is opened and migrated at start-up.

    ``extra_routers`` are mounted at the root after the API (the web pages use this); until
    one of them claims ``/``, it answers with a small JSON index. With ``notify_every`` set,
    pending alert notifications are delivered in the background every that many seconds.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not hasattr(app.state, "db"):
            start(app, settings, migrate=migrate)
        task = asyncio.create_task(_notifier(app, notify_every)) if notify_every else None
        yield
        if task is not None:
            task.cancel()
        app.state.db.dispose()

    app = FastAPI(
        title="Vigil API",
        version=__version__,
        description="Early warning and response for the prevention of mass atrocities.",
        lifespan=lifespan,
        responses=errors.ERRORS,
        # Swagger UI and ReDoc load their code from a CDN and run inline script: neither works
        # offline nor under the Content-Security-Policy; the spec stays at /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    errors.install(app)
    app.add_middleware(BodyLimit, upload_bytes=settings.upload_max_bytes)
    app.state.live = SidecarReader(settings.home / SIDECAR)
    app.add_middleware(FreshnessMiddleware, reader=app.state.live)
    app.add_middleware(SecurityHeaders)  # added last: outermost, so every answer carries them
    app.include_router(auth.router)
    for module in ROUTERS:
        app.include_router(module.router, prefix=API_PREFIX)
    for router in extra_routers:
        app.include_router(router)
    if not any(getattr(r, "path", None) == "/" for r in app.routes):
        app.add_api_route("/", index, methods=["GET"], include_in_schema=False)
    return app


async def _notifier(app: FastAPI, every: float) -> None:
    """Deliver due notifications (webhook, e-mail) until the application stops."""
    from starlette.concurrency import run_in_threadpool

    from vigil.workspace.notifications import Sender, deliver_due

    sender = Sender.from_settings(app.state.settings)
    while True:
        try:
            await run_in_threadpool(partial(deliver_due, app.state.db, sender=sender))
        except (VigilError, SQLAlchemyError) as err:
            log.warning("notification delivery failed this round: %s", err)
        await asyncio.sleep(every)


def start(app: FastAPI, settings: Settings, *, migrate: bool = True) -> None:
    """Open (and migrate) the database and load the session key; idempotent per app."""
    settings.ensure_home()
    db = open_database(settings)
    if migrate:
        upgrade(db)
    app.state.db = db
    app.state.settings = settings
    app.state.session_secret = session_secret(settings.home)
    app.state.forecast_cache = LRUCache(maxsize=SIGNAL_MONTHS_KEPT)


def from_env() -> FastAPI:
    """The API alone for the settings in the environment (a uvicorn ``--factory`` target)."""
    return create_app(Settings.from_env())


def index() -> dict[str, Any]:
    """A small index of the API, until the web pages take over ``/``."""
    return {"name": "Vigil", "version": __version__, "api": API_PREFIX, "spec": "/openapi.json"}
