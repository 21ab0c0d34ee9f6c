"""ACLED API client: an OAuth password grant, then pages of ``/api/acled/read`` as export batches.

The token comes from ``POST {root}/oauth/token`` (``username``, ``password``,
``grant_type=password``, ``client_id=acled``) and is refreshed (``grant_type=refresh_token``)
shortly before ``expires_in`` runs out; a 401 on a read triggers one fresh password login and one
retry, never more. Data: ``GET {root}/api/acled/read?_format=json&page=N&limit=5000`` (1-based
pages, ``event_date=START|END`` with ``event_date_where=BETWEEN``, countries as ``iso`` numbers)
with ``Authorization: Bearer``; an empty page ends the read.

The watermark is a pass over a date window, ``{"start", "end", "page", "done"}``: a failed pass
resumes at its page; a finished one makes the next sync read from the last event date seen to
today (that day again, since ACLED adds events to recent days; the merge keeps nothing twice).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from vigil.countries import converter
from vigil.errors import SourceError
from vigil.events.acled import COLUMNS
from vigil.sources.batch import Batch, write_csv
from vigil.sources.client import check
from vigil.sources.context import SyncContext
from vigil.sources.registry import SourceSpec, SourceState

LIMIT = 5000
EARLIEST = date(1997, 1, 1)
REFRESH_MARGIN = 60.0


@dataclass(slots=True)
class Session:
    """An ACLED bearer token and when it expires (monotonic seconds)."""

    token: str
    refresh: str | None
    expires: float


def batches(spec: SourceSpec, state: SourceState, ctx: SyncContext) -> Iterator[Batch]:
    """Batches of events in the pass's date window, resuming a failed pass at its page."""
    mark = dict(state.watermark)
    if not mark or mark.get("done"):
        start = state.through or spec.since or EARLIEST
        mark = {"start": start.isoformat(), "end": ctx.today.isoformat(), "page": 1}
        mark["done"] = False
    session = _login(spec, ctx)
    rows: list[dict[str, Any]] = []
    first = page = int(mark["page"])
    while True:
        session, result = _read(spec, ctx, session, mark, page)
        rows += result
        ctx.tick(f"{spec.name} page {page}", page, None)
        last = not result
        if last or len(rows) >= ctx.batch_rows:
            mark.update(page=page + 1, done=last)
            yield _batch(ctx, dict(mark), rows, first, page)
            rows, first = [], page + 1
        if last:
            return
        page += 1


def _login(spec: SourceSpec, ctx: SyncContext, refresh: str | None = None) -> Session:
    form = {"client_id": "acled"}
    if refresh:
        form |= {"grant_type": "refresh_token", "refresh_token": refresh}
    else:
        form |= {
            "grant_type": "password",
            "username": ctx.credential(spec.user_env, "ACLED user name"),
            "password": ctx.credential(spec.password_env, "ACLED password"),
        }
    url = f"{spec.url}/oauth/token"
    response = ctx.http.request("POST", url, data=form)
    if response.status_code in (400, 401):
        raise SourceError(
            f"POST {url}: HTTP {response.status_code}, ACLED refused the credentials in "
            f"${spec.user_env} / ${spec.password_env}"
        )
    check(response)
    try:
        body = response.json()
        token, expires = str(body["access_token"]), float(body.get("expires_in") or 3600)
    except (ValueError, KeyError, TypeError) as err:
        raise SourceError(f"POST {url}: no access_token in the answer") from err
    return Session(token, body.get("refresh_token"), time.monotonic() + expires)


def _fresh(spec: SourceSpec, ctx: SyncContext, session: Session) -> Session:
    """The session, refreshed when it expires within a minute (a password login if refused)."""
    if time.monotonic() < session.expires - REFRESH_MARGIN:
        return session
    if session.refresh:
        try:
            return _login(spec, ctx, session.refresh)
        except SourceError:
            pass
    return _login(spec, ctx)


def _read(
    spec: SourceSpec, ctx: SyncContext, session: Session, mark: dict[str, Any], page: int
) -> tuple[Session, list[dict[str, Any]]]:
    url = f"{spec.url}/api/acled/read"
    params: dict[str, str | int] = {"_format": "json", "page": page, "limit": LIMIT}
    params |= {"event_date": f"{mark['start']}|{mark['end']}", "event_date_where": "BETWEEN"}
    if spec.countries:
        params["iso"] = ":OR:iso=".join(str(_isonum(c)) for c in spec.countries)
    for attempt in (0, 1):
        session = _fresh(spec, ctx, session)
        auth = {"Authorization": f"Bearer {session.token}"}
        response = ctx.http.request("GET", url, params=params, headers=auth)
        if response.status_code != 401:
            break
        if attempt == 1:
            raise SourceError(f"GET {url} page {page}: HTTP 401 again after a fresh login")
        session.expires = 0.0  # the token was refused: log in again, once
        session.refresh = None
    check(response)
    return session, _rows(url, page, response)


def _rows(url: str, page: int, response: Any) -> list[dict[str, Any]]:
    try:
        body = response.json()
    except ValueError as err:
        raise SourceError(f"GET {url} page {page}: the answer is not JSON") from err
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or body.get("success") is False:
        error = body.get("error") if isinstance(body, dict) else None
        raise SourceError(f"GET {url} page {page}: no 'data' list in the answer ({error})")
    return data


def _isonum(iso3: str) -> int:
    data = converter().data
    return int(data.loc[data["ISO3"] == iso3, "ISOnumeric"].iloc[0])


def _batch(
    ctx: SyncContext, mark: dict[str, Any], rows: list[dict[str, Any]], first: int, last: int
) -> Batch:
    if not rows:
        return Batch((), "acled", 0, mark)
    name = f"acled-{mark['start']}-{mark['end']}-p{first:05d}-{last:05d}.csv"
    path = write_csv(ctx.work / name, COLUMNS, rows)
    dates = [str(row.get("event_date") or "")[:10] for row in rows]
    valid = [d for d in dates if len(d) == 10 and d[4] == "-"]
    return Batch(
        (path,), "acled", len(rows), mark, date.fromisoformat(max(valid)) if valid else None
    )
