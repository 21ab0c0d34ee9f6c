"""UCDP GED API client: pages of ``{root}/gedevents/{release}`` as GED-layout batches.

``GET {root}/gedevents/{release}?pagesize=1000&page=N`` (0-based pages; optional ``StartDate``,
``Country`` as Gleditsch-Ward numbers) with header ``x-ucdp-access-token`` answers
``{"TotalCount", "TotalPages", "PreviousPageUrl", "NextPageUrl", "Result": [...]}``; the last page
has an empty ``NextPageUrl``. Page URLs are built here from the configured root, never followed
from the answer, so Vigil only talks to the host the user configured.

A release is static, so the watermark is a page: ``{"release", "start", "page", "done"}``. Once a
release is read to its end, later syncs ask only for the next release (``25.1`` → ``26.1`` for the
yearly final dataset, ``25.0.10`` → ``25.0.11`` for the monthly candidate one) — one request when
nothing new is published, which is the gentle use UCDP asks for. The release travels with each
batch, so the store can let a final release supersede the candidate events it replaces.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from vigil.countries import gw_for_iso3
from vigil.errors import SourceError
from vigil.sources.batch import Batch, write_csv
from vigil.sources.context import SyncContext
from vigil.sources.registry import SourceSpec, SourceState

PAGE_SIZE = 1000
NOT_PUBLISHED = frozenset({400, 404})


def next_release(release: str) -> str:
    """The release after ``release``: the next year's final, or the next month's candidate."""
    parts = release.split(".")
    year = int(parts[0])
    if len(parts) == 2:
        return f"{year + 1}.1"
    month = int(parts[2])
    return f"{year + 1}.0.1" if month == 12 else f"{year}.0.{month + 1}"


def batches(spec: SourceSpec, state: SourceState, ctx: SyncContext) -> Iterator[Batch]:
    """Batches of new events: the rest of the current release, then any newer releases."""
    mark = dict(state.watermark)
    release = str(mark.get("release") or spec.release)
    if mark.get("release") != release or not mark:
        mark = _fresh(release, spec)
    while True:
        if mark.get("done"):
            release = next_release(release)
            mark = _fresh(release, spec, probing=True)
        yield from _read(spec, ctx, mark)
        if not mark.get("done"):
            return


def _fresh(release: str, spec: SourceSpec, *, probing: bool = False) -> dict[str, Any]:
    start = spec.since.isoformat() if spec.since else None
    return {"release": release, "start": start, "page": 0, "done": False, "probing": probing}


def _read(spec: SourceSpec, ctx: SyncContext, mark: dict[str, Any]) -> Iterator[Batch]:
    """Read pages from ``mark['page']``, yielding a batch every ``batch_rows`` events; updates
    ``mark`` in place as batches are handed over (``done`` once the last page is read)."""
    release, rows, first = mark["release"], [], mark["page"]
    page = first
    while True:
        data = _page(spec, ctx, mark, page)
        if data is None:  # the next release is not published yet
            return
        result = data.get("Result")
        if not isinstance(result, list):
            raise SourceError(f"UCDP page {page} of {release}: no 'Result' list in the answer")
        rows += result
        total = int(data.get("TotalPages") or 0)
        last = not result or not data.get("NextPageUrl") or page + 1 >= total
        ctx.tick(f"{spec.name} {release}", page + 1, total or None)
        if last or len(rows) >= ctx.batch_rows:
            mark.update(page=page + 1, done=last, probing=False)
            yield _batch(spec, ctx, dict(mark), rows, first, page)
            rows, first = [], page + 1
        if last:
            return
        page += 1


def _page(
    spec: SourceSpec, ctx: SyncContext, mark: dict[str, Any], page: int
) -> dict[str, Any] | None:
    token = ctx.credential(spec.token_env, "UCDP access token")
    params: dict[str, str | int] = {"pagesize": PAGE_SIZE, "page": page}
    if mark.get("start"):
        params["StartDate"] = mark["start"]
    if spec.countries:
        params["Country"] = ",".join(str(gw_for_iso3(c)) for c in spec.countries)
    url = f"{spec.url}/gedevents/{mark['release']}"
    response = ctx.http.request("GET", url, params=params, headers={"x-ucdp-access-token": token})
    if response.status_code == 401:
        raise SourceError(f"GET {url}: HTTP 401, the token in ${spec.token_env} was refused")
    if mark.get("probing") and page == 0 and response.status_code in NOT_PUBLISHED:
        return None
    if not response.is_success:
        raise SourceError(f"GET {url} page {page}: HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as err:
        raise SourceError(f"GET {url} page {page}: the answer is not JSON") from err
    if not isinstance(data, dict):
        raise SourceError(f"GET {url} page {page}: expected a JSON object")
    return data


def _batch(
    spec: SourceSpec,
    ctx: SyncContext,
    mark: dict[str, Any],
    rows: list[dict[str, Any]],
    first: int,
    last: int,
) -> Batch:
    release = mark["release"]
    if not rows:
        return Batch((), "ucdp-ged", 0, mark, None, release)
    columns = list(dict.fromkeys(key for row in rows for key in row))
    name = f"{release}-{mark.get('start') or 'all'}-p{first:05d}-{last:05d}.csv"
    path = write_csv(ctx.work / name, columns, rows)
    return Batch((path,), "ucdp-ged", len(rows), mark, _through(rows), release)


def _through(rows: list[dict[str, Any]]) -> date | None:
    dates = [str(row.get("date_start") or "")[:10] for row in rows]
    valid = [d for d in dates if len(d) == 10 and d[4] == "-"]
    return date.fromisoformat(max(valid)) if valid else None
