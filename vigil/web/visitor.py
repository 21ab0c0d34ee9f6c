"""Who is looking at a page, without a thread-pool hop for anonymous visitors.

The API's :func:`vigil.api.security.optional_user` reads the database, so FastAPI runs it in
the thread pool; for the many anonymous requests to public pages that hop costs more than the
page itself. This dependency answers None at once when the request carries no credentials,
and otherwise defers to the API's check, in the pool.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from vigil.api.security import SESSION_COOKIE, Caller, optional_user


async def visitor(request: Request) -> Caller | None:
    """The signed-in caller, or None for an anonymous visitor (or one who must first change
    a one-time password: they reach only the password page)."""
    header = request.headers.get("authorization", "")
    if not header and SESSION_COOKIE not in request.cookies:
        return None
    scheme, _, token = header.partition(" ")
    credentials = (
        HTTPAuthorizationCredentials(scheme=scheme, credentials=token.strip())
        if scheme.lower() == "bearer" and token.strip()
        else None
    )
    caller = await run_in_threadpool(optional_user, request, credentials)
    return None if caller is None or caller.must_change_password else caller
