"""Printable briefs: a two-page country brief and a two-page global watchlist brief.

Both are HTML rendered from templates (so the page and the PDF agree) and turned into PDF by
WeasyPrint. Every page's footer names the data hash, the model and the Vigil version.
Workspace material is filtered by a clearance (public unless the caller asks otherwise),
so a brief meant for circulation never carries confidential notes by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vigil.api.security import Caller
from vigil.errors import UsageError
from vigil.risk.picture import RiskPicture
from vigil.web.activity import Activity
from vigil.web.charts import history_chart, sparkline
from vigil.web.context import workspace_record
from vigil.web.render import render
from vigil.web.snapshot import stamp
from vigil.workspace.access import parse_level
from vigil.workspace.database import Database

FORMATS = ("html", "pdf")
WATCHLIST_ROWS = 22
MOVERS = 8


@dataclass(frozen=True)
class BriefSources:
    """What a brief is drawn from: the risk snapshot, event activity and the workspace."""

    snapshot: RiskPicture
    activity: Activity
    db: Database | None
    freshness: str | None = None


def reader(clearance: str) -> Caller:
    """The principal a brief is written for: a viewer with the given clearance."""
    return Caller(id=0, name="brief", role="viewer", clearance=parse_level(clearance).value)


def _footer(snap: RiskPicture) -> dict[str, Any]:
    return {
        "model": snap.model,
        "base_year": snap.base_year,
        "data_sha256": snap.data_sha256,
        "generated_at": stamp(),
    }


def country_brief(sources: BriefSources, iso3: str, *, clearance: str = "public") -> str:
    """The two-page HTML brief of one country (ISO3 code or the table's name)."""
    snap = sources.snapshot
    found = find_country(snap, iso3)
    interval = (found["low"], found["high"]) if found["low"] is not None else None
    record: dict[str, Any] = {"assessment": None, "alerts": [], "timeline": []}
    if sources.db is not None:
        record = workspace_record(sources.db, found["iso3"], reader(clearance))
    return render(
        "brief_country.html",
        c=found,
        n_countries=len(snap.countries),
        chart=history_chart(
            found["history"],
            interval=interval,
            width=680,
            height=210,
            title=f"Risk history of {found['name']}",
        ),
        events=sources.activity.events.get(found["iso3"], [])[:6],
        signals=sources.activity.signals.get(found["iso3"], [])[:5],
        gaps=sources.activity.gaps.get(found["iso3"], [])[:3],
        interval_note=snap.interval_note,
        history_note=snap.history_note,
        clearance=clearance,
        **record,
        **_footer(snap),
        freshness=sources.freshness,
    )


def watchlist_brief(sources: BriefSources) -> str:
    """The two-page HTML brief of the global watchlist: the top, the movers, the regions."""
    snap = sources.snapshot
    moved = [c for c in snap.countries if c["change"] is not None]
    risers = sorted(moved, key=lambda c: -c["change"])[:MOVERS]
    fallers = sorted(moved, key=lambda c: c["change"])[:MOVERS]
    regions: dict[str, list[dict[str, Any]]] = {}
    for c in snap.countries:
        regions.setdefault(c["region"] or "Other", []).append(c)
    return render(
        "brief_watchlist.html",
        rows=snap.countries[:WATCHLIST_ROWS],
        sparklines={
            c["iso3"]: sparkline(c["history"], width=110, height=22)
            for c in snap.countries[:WATCHLIST_ROWS]
        },
        risers=risers,
        fallers=fallers,
        regions=sorted(regions.items(), key=lambda item: -item[1][0]["probability"]),
        n_countries=len(snap.countries),
        interval_note=snap.interval_note,
        **_footer(snap),
        freshness=sources.freshness,
    )


def find_country(snap: RiskPicture, key: str) -> dict[str, Any]:
    """A country of the snapshot by ISO3 code or name, or a usage error with an example."""
    wanted = key.strip().casefold()
    for c in snap.countries:
        if c["iso3"].casefold() == wanted or c["name"].casefold() == wanted:
            return c
    raise UsageError(
        f"no forecast for country {key!r} in base year {snap.base_year}; "
        "give an ISO3 code (e.g. MMR) or the table's name (e.g. 'Burma/Myanmar')"
    )


def to_pdf(html: str) -> bytes:
    """Render brief HTML to PDF bytes with WeasyPrint (no network: every asset is inline)."""
    try:
        from weasyprint import HTML
    except OSError as err:  # WeasyPrint loads Pango, a system library, at import time
        raise UsageError(
            "PDF briefs need the Pango library (Debian: apt-get install libpango-1.0-0 "
            f"libpangoft2-1.0-0); use --format html meanwhile ({err})"
        ) from err
    return bytes(HTML(string=html, base_url=None).write_pdf())
