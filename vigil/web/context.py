"""What each page template receives: pure functions from the site's state and the database."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from vigil import __version__
from vigil.api.security import Caller, csrf_token
from vigil.risk.picture import RiskPicture
from vigil.web.charts import history_chart

#: Backtest scores shown on the models page: (key, heading, whether it has a 95 % interval).
METRICS = (
    ("auc", "ROC AUC", True),
    ("within_auc", "Within-year AUC", True),
    ("ap", "Average precision", True),
    ("brier", "Brier", True),
    ("log_loss", "Log loss", True),
    ("top30_recall", "Top-30 recall", True),
    ("mean_predicted", "Mean predicted", False),
    ("observed", "Observed rate", False),
)
#: Whom anonymous visitors count as: a viewer cleared for public material only.
ANONYMOUS = Caller(id=0, name="anonymous", role="viewer", clearance="public")


def common(request: Request) -> dict[str, Any]:
    """Values every page uses: path, provenance footer, CSRF token for forms."""
    state = request.app.state.web
    snap = state.snapshot
    return {
        "path": request.url.path,
        "model": snap.model,
        "base_year": snap.base_year,
        "data_sha256": snap.data_sha256,
        "created_at": snap.provenance.get("created_at", ""),
        "vigil_version": __version__,
        "csrf": csrf_token(request),
        **live_context(request),
    }


def live_context(request: Request) -> dict[str, Any]:
    """How current the events are ("events through …"), and which live sources are stale."""
    picture = request.app.state.live.read()
    return {"freshness": picture.line(), "stale_sources": picture.stale()}


def filtered(snap: RiskPicture, region: str, threshold: float | None) -> list[dict[str, Any]]:
    """Countries in ``region`` (all if empty) at or above ``threshold`` percent, by rank."""
    rows = snap.countries
    if region:
        rows = [c for c in rows if c["region"] == region]
    if threshold is not None:
        rows = [c for c in rows if c["probability"] * 100 >= threshold]
    return rows


def query_string(region: str, threshold: float | None) -> str:
    """The filter as a query string (for the CSV link)."""
    values = {
        k: v for k, v in (("region", region), ("threshold", threshold)) if v not in ("", None)
    }
    return f"?{urlencode(values)}" if values else ""


def country(
    request: Request, state: Any, found: dict[str, Any], user: Caller | None
) -> dict[str, Any]:
    """The country page: risk, history, drivers, activity and the workspace's record."""
    iso3 = found["iso3"]
    interval = (found["low"], found["high"]) if found["low"] is not None else None
    values: dict[str, Any] = {
        "c": found,
        "n_countries": len(state.snapshot.countries),
        "chart": history_chart(
            found["history"], interval=interval, title=f"Risk history of {found['name']}"
        ),
        "interval_note": state.snapshot.interval_note,
        "history_note": state.snapshot.history_note,
        "events": state.activity.events.get(iso3, []),
        "signals": state.activity.signals.get(iso3, []),
        "gaps": state.activity.gaps.get(iso3, []),
    }
    values.update(workspace_record(request.app.state.db, iso3, user))
    return values


def workspace_record(db: Any, iso3: str, user: Caller | None) -> dict[str, Any]:
    """The latest assessment, open alerts and (for signed-in users) the actions timeline."""
    from vigil.workspace.alerts import list_alerts
    from vigil.workspace.assessments import content, list_assessments, overall, summarise
    from vigil.workspace.responses import response_report

    who = user or ANONYMOUS
    with db.session(write=False) as session:
        found, _ = list_assessments(session, who, iso3=iso3, limit=1)
        assessment = None
        if found:
            data = content(found[0])
            factors = summarise(data["ratings"])
            assessment = {"row": data, "factors": factors, "overall": overall(factors)}
        alerts, _ = list_alerts(session, who, iso3=iso3, limit=20)
        open_alerts = [_alert(a) for a in alerts if a.state != "closed"]
        timeline = []
        if user is not None:
            report = response_report(session, user, iso3)
            timeline = report.situations[0].timeline if report.situations else []
    return {"assessment": assessment, "alerts": open_alerts, "timeline": timeline}


def _alert(alert: Any) -> Any:
    """An alert as the API shows it (the pages read the same response model)."""
    from vigil.api.routers.alerts import AlertOut

    return AlertOut.model_validate(alert, from_attributes=True)


def models(snap: RiskPicture) -> dict[str, Any]:
    """The model registry, the default, and the stored backtest comparison if any."""
    from vigil.errors import DataError
    from vigil.risk.models import MODELS, load_summary

    try:
        summary: dict[str, Any] | None = load_summary()
    except DataError:
        summary = None
    pooled = (summary or {}).get("pooled", {})
    rows = [
        {
            "name": name,
            "description": spec.description,
            "baseline": spec.baseline,
            "scores": pooled.get(name, {}),
            "default": name == snap.model,
        }
        for name, spec in MODELS.items()
    ]
    metrics = [m for m in METRICS if any(m[0] in r["scores"] for r in rows)]
    return {
        "rows": rows,
        "metrics": metrics,
        "summary": summary,
        "plots": _backtest_plots() if _history_current(snap) else (),
    }


def _history_current(snap: RiskPicture) -> bool:
    """Whether the snapshot found a shipped history made by the current model code."""
    return any(len(c["history"]) > 1 for c in snap.countries)


def script_json(text: str) -> str:
    """JSON made safe to place inside a ``<script type="application/json">`` element."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@cache
def _backtest_plots() -> tuple[dict[str, str], ...]:
    """ROC, precision-recall, calibration and recall-by-year plots of the stored backtest.

    :func:`vigil.risk.history.history_backtest` gives the walk-forward forecasts on exactly the
    rows the stored summary scores, so the plots and the table above them show one backtest.
    """
    from vigil.risk.history import history_backtest
    from vigil.risk.report import figures
    from vigil.risk.table import load_table

    scored = history_backtest(load_table())
    if scored.empty:
        return ()
    return tuple(
        {
            "title": str(f.layout.title.text),
            "figure": script_json(f.to_json()),
        }
        for f in figures(scored)
    )
