"""Request body limits, enforced before any route reads, parses or stores a byte.

A declared ``Content-Length`` above the limit is answered 413 at once; a body sent without one
(chunked) is counted as it streams in and cut off at the limit, so an upload can never make the
server spool, parse or triage more than the limit allows.
"""

from __future__ import annotations

import contextlib
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Bodies other than file uploads (JSON, forms): a report's text at its longest, escaped.
OTHER_BYTES = 16 * 1024 * 1024
#: Room for the multipart framing and form fields around an uploaded file.
MULTIPART_SLACK = 1024 * 1024


class BodyTooLarge(Exception):
    """Raised inside the app's ``receive`` when the streamed body passes the limit."""


class BodyLimit:
    """ASGI middleware refusing request bodies above a limit with 413 (one JSON error shape)."""

    def __init__(self, app: ASGIApp, *, upload_bytes: int) -> None:
        self.app = app
        self.upload_bytes = upload_bytes

    def limit(self, scope: Scope) -> int:
        """The most bytes a body of this request may have: uploads get the upload limit."""
        for name, value in scope.get("headers", ()):
            if name == b"content-type" and value.lower().startswith(b"multipart/form-data"):
                return self.upload_bytes + MULTIPART_SLACK
        return OTHER_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        seen, over, started = 0, False, False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    raise BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if over:  # whatever the app made of the cut-off body, the answer is 413
                return
            started = True
            await send(message)

        with contextlib.suppress(BodyTooLarge):  # the app gave up reading: answered below
            await self.app(scope, counted, guarded)
        if over and not started:
            await _refuse(send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "error": {
                "status": 413,
                "code": "too_large",
                "message": f"the request body is larger than {limit} bytes: send a smaller file",
            }
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
