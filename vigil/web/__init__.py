"""Vigil's web pages (server-rendered, every asset bundled) and printable briefs.

``routers()`` is what ``vigil serve`` mounts next to the REST API: the public pages (map,
watchlist, country pages, models, sign-in) and the signed-in analyst pages (alerts, responses,
assessments, reports). Briefs are rendered by :mod:`vigil.web.briefs`.
"""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """The site's routers, with the start-up (snapshot, seeding) attached as a lifespan."""
    from vigil.web.account import router as account
    from vigil.web.pages import router as public
    from vigil.web.reports import router as report_pages
    from vigil.web.site import lifespan
    from vigil.web.workbench import router as signed_in

    router = APIRouter(lifespan=lifespan, include_in_schema=False)
    router.include_router(public)
    router.include_router(signed_in)
    router.include_router(account)

    router.include_router(report_pages)
    return [router]


__all__ = ["routers"]
