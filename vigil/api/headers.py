"""Security headers on every response: a strict Content-Security-Policy and its companions.

The pages run only the bundled scripts (``/static/*.js``, never inline script or handlers), so
the policy admits scripts from this origin alone; nothing may frame the site; responses that
carry a signed-in user's data (the API, and any page asked for with credentials) are never
stored by a browser or proxy cache.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The policy of every response: this origin's assets only, no inline script, no framing.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
#: The policy of the pages drawing with plotly.js (the map, the model plots): the same, except
#: that plotly.js sets inline styles from its own (bundled, same-origin) script, so those pages
#: admit inline *styles*; scripts stay restricted to this origin's files.
PLOT_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
#: The policy of the printable briefs: self-contained documents whose styles are inline (the PDF
#: renderer needs them there) and which run no script at all.
DOCUMENT_POLICY = "; ".join(
    (
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
#: Headers set on every response, whatever the route (a route may narrow the policy).
ALWAYS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
NO_STORE = "no-store"
#: Paths whose answers are the same for everyone and may be cached (bundled assets, geometry).
SHARED_PREFIXES = ("/static/", "/geo/")


def private(scope: Scope) -> bool:
    """Whether the answer to this request may hold a signed-in user's data.

    API answers always may (they depend on the token); so may any page requested with a
    session cookie or an Authorization header, except the bundled assets.
    """
    path: str = scope.get("path", "")
    if path.startswith("/api/") or path in ("/login", "/logout", "/signin"):
        return True
    if path.startswith(SHARED_PREFIXES):
        return False
    for name, value in scope.get("headers", ()):
        if name == b"authorization" or (name == b"cookie" and b"vigil_session=" in value):
            return True
    return False


class SecurityHeaders:
    """ASGI middleware adding :data:`ALWAYS` to every response, and ``no-store`` where private."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        keep_private = private(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    if name not in headers:
                        headers[name] = value
                if keep_private:
                    headers["Cache-Control"] = NO_STORE
                    headers["Pragma"] = "no-cache"
            await send(message)

        await self.app(scope, receive, send_with_headers)
