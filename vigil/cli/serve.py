"""``vigil serve``: run the API (and the web pages) with uvicorn."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import typer

from vigil.settings import Settings

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command."""

    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
        workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes."),
    ) -> None:
        """Serve the API under /api/v1 (spec at /openapi.json) and the web pages."""
        import uvicorn

        if workers > 1:
            typer.echo(f"vigil: starting {workers} workers at http://{host}:{port}/", err=True)
            uvicorn.run(
                "vigil.cli.serve:app_from_env",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="warning",
            )
        else:
            application = app_from_env()
            typer.echo(f"vigil: serving at http://{host}:{port}/ (Ctrl-C stops it)", err=True)
            uvicorn.run(application, host=host, port=port, log_level="warning")


def app_from_env() -> FastAPI:
    """The application for the settings in the environment, with any web pages installed,
    syncing its due live sources in the background while it runs."""
    from vigil.api import create_app

    settings = Settings.from_env()
    app = create_app(settings, extra_routers=_web_routers(), notify_every=settings.notify_every)
    _sync_in_background(app, settings)
    return app


def _sync_in_background(app: FastAPI, settings: Settings) -> None:
    """Run :class:`vigil.sources.scheduler.Scheduler` for the application's lifetime."""
    import os
    from contextlib import asynccontextmanager

    from vigil.sources.arrival import alerts_on_arrival
    from vigil.sources.scheduler import Scheduler

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with inner(app) as state:

            def workspace() -> Any:
                return app.state.db

            scheduler = Scheduler(
                settings, dict(os.environ), workspace, alerts_on_arrival(workspace)
            )
            scheduler.start()
            try:
                yield state
            finally:
                scheduler.stop()

    app.router.lifespan_context = lifespan


def _web_routers() -> list[APIRouter]:
    """Routers of the web pages (an import error in them is a bug and stops the server)."""
    from vigil.web import routers

    return list(routers())
