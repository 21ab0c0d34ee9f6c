"""Freshness on every response: the ``X-Vigil-Freshness`` header says how current the events are.

A pure ASGI middleware (cheaper than Starlette's ``BaseHTTPMiddleware``) adds "events through DATE,
last synced AGO from SOURCE" to every HTTP response. The picture behind it is the ``sources.json``
that every sync writes beside the event store (re-read only when it changes), so answering never
opens DuckDB; the "ago" is worked out per response, so it never freezes.
"""

from __future__ import annotations

from typing import Any

from vigil.sources.freshness import SidecarReader

HEADER = b"x-vigil-freshness"


class FreshnessMiddleware:
    """Adds the ``X-Vigil-Freshness`` header to every HTTP response."""

    def __init__(self, app: Any, reader: SidecarReader) -> None:
        self.app, self.reader = app, reader

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Any) -> None:
            if message["type"] == "http.response.start":
                value = self.reader.read().line().encode("latin-1", "replace")
                message["headers"] = [*message.get("headers", []), (HEADER, value)]
            await send(message)

        await self.app(scope, receive, send_with_header)
