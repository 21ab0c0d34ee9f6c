"""Public pages: the world map, the watchlist (and its CSV), country pages, models, sign-in."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from vigil.api.headers import DOCUMENT_POLICY, PLOT_POLICY
from vigil.api.security import Caller
from vigil.spreadsheet import csv_text
from vigil.web import context
from vigil.web.geometry import plotly_topology
from vigil.web.render import render
from vigil.web.site import WebState, web_state
from vigil.web.visitor import visitor

router = APIRouter(include_in_schema=False)
State = Annotated[WebState, Depends(web_state)]
Viewer = Annotated[Caller | None, Depends(visitor)]
STATIC_TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
    ".md": "text/plain",
}
CACHE = "public, max-age=86400"
#: Where plotly.js looks for its base-map topology (``topojsonURL`` + ``world_110m.json``).
PLOTLY_TOPOLOGY = "geo/world_110m.json"


def page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """A rendered page with the common context (user, provenance, navigation)."""
    html = render(template, **context.common(request), **values)
    return HTMLResponse(html, status_code=status)


async def public_page(
    request: Request,
    state: WebState,
    user: Caller | None,
    template: str,
    values: Callable[[], dict[str, Any]],
) -> HTMLResponse:
    """Like :func:`page`, but served from the page cache when the visitor is anonymous.

    A cached page is answered on the event loop; rendering (and ``values``, which may query
    the database) runs in the thread pool.
    """
    if user is not None:
        return await run_in_threadpool(lambda: page(request, template, user=user, **values()))
    key = (str(request.url.path), str(request.url.query), state.activity.mtime)
    html = state.pages.get(key)
    if html is None:
        html = await run_in_threadpool(
            lambda: render(template, **context.common(request), user=None, **values())
        )
        state.pages.put(key, html)
    return HTMLResponse(html)


@router.get("/", response_class=HTMLResponse)
async def world_map(request: Request, state: State, user: Viewer) -> HTMLResponse:
    """The world map of current risk, with the top ten as a text alternative."""
    snap = state.snapshot

    def values() -> dict[str, Any]:
        data = [
            {"id": c["map_id"], "iso3": c["iso3"], "name": c["name"],
             "p": round(c["probability"], 5), "rank": c["rank"]}
            for c in snap.countries
        ]  # fmt: skip
        return {"map_data": context.script_json(json.dumps(data)), "top": snap.countries[:10]}

    response = await public_page(request, state, user, "map.html", values)
    response.headers["Content-Security-Policy"] = PLOT_POLICY
    return response


@router.get("/watchlist", response_class=HTMLResponse)
async def watchlist(
    request: Request,
    state: State,
    user: Viewer,
    region: Annotated[str, Query(max_length=80)] = "",
    threshold: Annotated[float | None, Query(ge=0, le=100)] = None,
) -> HTMLResponse:
    """The ranked watchlist with region and threshold filters."""

    def values() -> dict[str, Any]:
        return {
            "rows": context.filtered(state.snapshot, region, threshold),
            "region": region,
            "threshold": threshold,
            "regions": state.snapshot.regions,
            "sparklines": state.sparklines,
            "csv_query": context.query_string(region, threshold),
            "interval_note": state.snapshot.interval_note,
            "history_note": state.snapshot.history_note,
        }

    return await public_page(request, state, user, "watchlist.html", values)


@router.get("/watchlist.csv")
def watchlist_csv(
    state: State,
    region: Annotated[str, Query(max_length=80)] = "",
    threshold: Annotated[float | None, Query(ge=0, le=100)] = None,
) -> Response:
    """The filtered watchlist as CSV, with model, base year and data hash on every row."""
    snap = state.snapshot
    header = [
        "rank",
        "country",
        "iso3",
        "region",
        "probability",
        "probability_1y",
        "low",
        "high",
        "previous_probability",
        "change",
        "model",
        "base_year",
        "data_sha256",
        "vigil_version",
    ]
    rows = (
        [
            c["rank"],
            c["name"],
            c["iso3"],
            c["region"],
            f"{c['probability']:.6f}",
            _fmt(c.get("probability_1y")),
            _fmt(c["low"]),
            _fmt(c["high"]),
            _fmt(c["previous"]),
            _fmt(c["change"]),
            snap.model,
            snap.base_year,
            snap.data_sha256,
            snap.provenance["vigil_version"],
        ]
        for c in context.filtered(snap, region, threshold)
    )
    name = f"vigil-watchlist-{snap.model}-{snap.base_year}.csv"
    return Response(
        csv_text(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


@router.get("/countries/{iso3}", response_class=HTMLResponse)
async def country(request: Request, iso3: str, state: State, user: Viewer) -> Response:
    """Everything Vigil knows about one country."""
    found = state.snapshot.by_iso3.get(iso3.upper())
    if found is None:
        return page(
            request,
            "not_found.html",
            status=404,
            user=user,
            what=f"No forecast for a country with the code {iso3!r}.",
        )
    if found["iso3"] != iso3:
        return Response(status_code=308, headers={"Location": f"/countries/{found['iso3']}"})
    state.activity.refresh(state.settings, wait=False)
    return await public_page(
        request, state, user, "country.html", lambda: context.country(request, state, found, user)
    )


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request, user: Viewer) -> HTMLResponse:
    """The live data sources: how current each one is, its last sync and whether it is stale."""
    rows = request.app.state.live.read().rows()
    return page(request, "sources.html", user=user, rows=rows)


@router.get("/models", response_class=HTMLResponse)
def models(request: Request, state: State, user: Viewer) -> HTMLResponse:
    """The models, the default rule and the backtest comparison."""
    response = page(request, "models.html", user=user, **context.models(state.snapshot))
    response.headers["Content-Security-Policy"] = PLOT_POLICY
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    user: Viewer,
    next: Annotated[str, Query(max_length=500)] = "/alerts",
) -> HTMLResponse:
    """The sign-in form (it posts to the API's ``/login``, which sets the session cookie)."""
    safe = next if next.startswith("/") and not next.startswith("//") else "/"
    return page(request, "login.html", user=user, next=safe, username="", error="")


@router.get("/geo/countries.geojson")
async def geometry(request: Request, state: State) -> Response:
    """Country outlines (Natural Earth via world-atlas) as GeoJSON keyed by ISO3."""
    return _maybe_gzip(request, state.geojson_gz, "application/geo+json")


@router.get("/static/{name:path}")
async def static(request: Request, name: str) -> Response:
    """Bundled assets; plotly.min.js comes from the installed plotly package."""
    body = _asset(name)
    if body is None:
        return Response("not found", status_code=404, media_type="text/plain")
    return _maybe_gzip(
        request, body, STATIC_TYPES.get(Path(name).suffix, "application/octet-stream")
    )


@cache
def _asset(name: str) -> bytes | None:
    """The gzip-compressed bytes of an asset, or None if it is not one of ours."""
    if name == PLOTLY_TOPOLOGY:
        return gzip.compress(plotly_topology(), 6)
    if name == "plotly.min.js":
        source = files("plotly").joinpath("package_data/plotly.min.js")
    else:
        root = files(__package__).joinpath("static")
        parts = Path(name).parts
        if not parts or any(p in ("..", "") or p.startswith(".") for p in parts):
            return None
        source = root.joinpath(*parts)
    if not source.is_file():
        return None
    return gzip.compress(source.read_bytes(), 6)


def _maybe_gzip(request: Request, body: bytes, media_type: str) -> Response:
    headers = {"Cache-Control": CACHE, "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(body, media_type=media_type, headers=headers)
    return Response(gzip.decompress(body), media_type=media_type, headers=headers)


@router.get("/countries/{iso3}/brief", response_class=HTMLResponse)
def country_brief_html(iso3: str, state: State) -> Response:
    """The printable two-page brief of a country (public material only)."""
    from vigil.web.briefs import country_brief

    if iso3.upper() not in state.snapshot.by_iso3:
        return Response("no such country", status_code=404, media_type="text/plain")
    return HTMLResponse(
        country_brief(_sources(state), iso3.upper()),
        headers={"Content-Security-Policy": DOCUMENT_POLICY},
    )


@router.get("/countries/{iso3}/brief.pdf")
async def country_brief_pdf(iso3: str, state: State) -> Response:
    """The country brief as PDF (rendered off the event loop)."""
    from starlette.concurrency import run_in_threadpool

    from vigil.web.briefs import country_brief, to_pdf

    if iso3.upper() not in state.snapshot.by_iso3:
        return Response("no such country", status_code=404, media_type="text/plain")
    html = country_brief(_sources(state), iso3.upper())
    pdf = await run_in_threadpool(to_pdf, html)
    name = f"vigil-brief-{iso3.upper()}-{state.snapshot.base_year}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


def _sources(state: WebState) -> Any:
    from vigil.sources.freshness import SIDECAR, SidecarReader
    from vigil.web.briefs import BriefSources

    line = SidecarReader(state.settings.home / SIDECAR).read().line()
    return BriefSources(state.snapshot, state.activity, state.db, freshness=line)
