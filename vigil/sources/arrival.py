"""Alerts on arrival: after a sync that changed events, the event-signal rules run on what changed.

The newest month touched by the sync (events merged since it began) is judged again — escalation
and reporting-gap signals — and the workspace's event-signal rules raise alerts, which are then
notified as configured, exactly as ``vigil alerts evaluate --signals --month`` would. Only the
newest month: a backfill of old months must not raise years-old alerts as news.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb
from sqlalchemy.exc import SQLAlchemyError

from vigil.errors import VigilError
from vigil.events.store import EventStore
from vigil.sources.sync import OnArrival

if TYPE_CHECKING:
    from vigil.workspace.database import Database

log = logging.getLogger(__name__)

#: How many of the latest changed months are judged after one sync.
MONTHS = 1


def changed_months(store: EventStore, since: datetime) -> list[str]:
    """The months (YYYY-MM, newest first) of events merged at or after ``since``."""
    frame = store.query(
        "SELECT DISTINCT strftime(month, '%Y-%m') AS m FROM events "
        "WHERE ingested_at >= ? AND month IS NOT NULL ORDER BY m DESC",
        [since],
    )
    return [str(m) for m in frame["m"]]


def alerts_on_arrival(workspace: Callable[[], Database]) -> OnArrival:
    """A hook for :func:`vigil.sources.sync.sync` that raises alerts on the changed months."""

    def run(store: EventStore, since: datetime) -> None:
        import pandas as pd

        from vigil.events.signals import monitor
        from vigil.workspace.alerts import evaluate_signals
        from vigil.workspace.users import system_actor

        try:
            months = changed_months(store, since)[:MONTHS]
            rows = [s.as_dict() for m in months for s in monitor(store, m, forecasts=False)]
            if not rows:
                return
            with workspace().session() as session:
                raised = evaluate_signals(session, system_actor, pd.DataFrame(rows))
        except (VigilError, SQLAlchemyError, duckdb.Error) as err:  # the sync itself stands
            log.warning("alert rules could not run after the sync: %s", err)
            return
        log.info("%d alert(s) raised on arrival for %s", len(raised), ", ".join(months))

    return run
