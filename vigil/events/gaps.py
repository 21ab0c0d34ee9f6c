"""Reporting gaps: silence where violence had been reported is a signal, not calm.

For every source and country, the month's volume of events is compared with the unit's own
previous 12 months. Method: the window's mean and variance define a negative binomial (Poisson when
the window is not over-dispersed), scaled to the part of the month the source's data cover — the
latest month is usually partial, and judging eight days against a full month's baseline would cry
wolf everywhere. A gap fires when violence had been reported (at least ``MIN_VIOLENT`` lethal
events in the window), the expected volume is at least ``MIN_EXPECTED`` events, the month has at
most a quarter of it, and the lower-tail probability of so few is below 1%. It says "possible
blackout, access loss or source change": an analyst must not read "no events" as "no violence".
Severity is high when the unit fell silent altogether, moderate otherwise.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from vigil.countries import name_for_iso3
from vigil.events.panels import LETHAL
from vigil.events.signals import Signal
from vigil.events.store import EventStore

WINDOW = 12
MIN_HISTORY = 6
ALPHA = 0.01
DROP = 0.25
MIN_EXPECTED = 5.0
MIN_VIOLENT = 12
SIGNAL = "reporting_gap"


@dataclass(frozen=True, slots=True)
class Gap:
    """A sharp drop in one source's reporting on one country in one month."""

    country: str
    iso3: str
    source: str
    month: str
    value: int
    expected: float
    baseline: float
    coverage: float
    p_value: float
    severity: str
    last_event: str | None

    def as_signal(self) -> Signal:
        """The gap as a monitor signal (``reporting_gap:<source>``) beside escalation signals."""
        return Signal(
            country=self.country,
            iso3=self.iso3,
            admin1=None,
            month=self.month,
            signal=f"{SIGNAL}:{self.source}",
            severity=self.severity,
            value=float(self.value),
            baseline=round(self.expected, 6),
            p_value=self.p_value,
        )

    def describe(self) -> str:
        """One line for people: what dropped, from what, and since when."""
        since = f"; last event {self.last_event}" if self.last_event else ""
        return (
            f"{self.country}: {self.value} {self.source} events in {self.month} where "
            f"{self.expected:.0f} were expected (baseline {self.baseline:.1f}/month"
            f"{'' if self.coverage == 1 else f', {self.coverage:.0%} of the month covered'})"
            f"{since} — possible blackout, access loss or source change"
        )


def nb_lower_tail(value: np.ndarray, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """P(X ≤ value) under a negative binomial of this mean and variance (Poisson if var ≤ mean)."""
    mean = np.maximum(mean, 1e-9)
    over = var > mean * 1.000001
    safe_var = np.where(over, var, mean * 2)
    n = mean**2 / (safe_var - mean)
    p = mean / safe_var
    return np.where(over, stats.nbinom.cdf(value, n, p), stats.poisson.cdf(value, mean))


def reporting_gaps(
    store: EventStore, month: str | None = None, *, read_only: bool = False
) -> list[Gap]:
    """Reporting gaps for ``month`` (YYYY-MM), or each source's latest month when None."""
    counts, horizons, last = _volumes(store, read_only)
    gaps: list[Gap] = []
    for source, horizon in horizons.items():
        target = (
            pd.Timestamp(month + "-01") if month else pd.Timestamp(horizon.year, horizon.month, 1)
        )
        coverage = _coverage(target, horizon)
        if coverage <= 0:
            continue
        frame = counts[counts["source"] == source]
        gaps += _judge(frame, source, target, coverage, last)
    return sorted(gaps, key=lambda g: (g.severity != "high", g.p_value, g.iso3, g.source))


def _volumes(
    store: EventStore, read_only: bool
) -> tuple[pd.DataFrame, dict[str, date], dict[tuple[str, str], Any]]:
    lethal = ", ".join(f"'{t.value}'" for t in LETHAL)
    with store.connect(read_only=read_only) as con:
        counts = con.execute(
            f"""SELECT source, iso3, month, count(*) AS events,
                count(*) FILTER (violence_type IN ({lethal})) AS violent
            FROM events WHERE iso3 IS NOT NULL AND month IS NOT NULL GROUP BY ALL"""
        ).df()
        horizons = con.execute(
            "SELECT source, max(date_start) FROM events GROUP BY source"
        ).fetchall()
        last = con.execute(
            "SELECT source, iso3, max(date_start) FROM events GROUP BY source, iso3"
        ).fetchall()
    counts["month"] = pd.to_datetime(counts["month"])
    return (
        counts,
        {str(s): d for s, d in horizons if d is not None},
        {(str(s), str(i)): d for s, i, d in last},
    )


def _coverage(target: pd.Timestamp, horizon: date) -> float:
    """The share of ``target``'s month that the source's data reach (0 past the horizon)."""
    days = calendar.monthrange(target.year, target.month)[1]
    if (horizon.year, horizon.month) > (target.year, target.month):
        return 1.0
    if (horizon.year, horizon.month) < (target.year, target.month):
        return 0.0
    return horizon.day / days


def _judge(
    frame: pd.DataFrame,
    source: str,
    target: pd.Timestamp,
    coverage: float,
    last: dict[tuple[str, str], Any],
) -> list[Gap]:
    table = _window(frame, target)
    table["expected"] = table["mean"] * coverage
    table["p"] = nb_lower_tail(
        table["value"].to_numpy(float),
        table["expected"].to_numpy(float),
        (table["var"] * coverage).to_numpy(float),
    )
    keep = table[
        (table["months"] >= MIN_HISTORY)
        & (table["violent"] >= MIN_VIOLENT)
        & (table["expected"] >= MIN_EXPECTED)
        & (table["value"] <= DROP * table["expected"])
        & (table["p"] < ALPHA)
    ]
    return [
        _gap(source, target, coverage, str(iso3), row, last.get((source, str(iso3))))
        for iso3, row in keep.iterrows()
    ]


def _window(frame: pd.DataFrame, target: pd.Timestamp) -> pd.DataFrame:
    """Per country: months of history in the window, mean and variance of monthly volume
    (months without events count as zeros), lethal events in it, and the target month's volume."""
    start = target - pd.DateOffset(months=WINDOW)
    window = frame[(frame["month"] >= start) & (frame["month"] < target)]
    table = window.groupby("iso3").agg(
        total=("events", "sum"), violent=("violent", "sum"), squares=("events", _sum_squares)
    )
    first = frame.groupby("iso3")["month"].min().reindex(table.index)
    table["months"] = [min(WINDOW, _months_between(f, target)) for f in first]
    months = table["months"].clip(lower=1)
    table["mean"] = table["total"] / months
    table["var"] = (table["squares"] / months - table["mean"] ** 2).clip(lower=0)
    now = frame[frame["month"] == target].set_index("iso3")["events"]
    table["value"] = now.reindex(table.index).fillna(0).astype(int)
    return table


def _sum_squares(values: pd.Series) -> float:
    return float((values.astype(float) ** 2).sum())


def _gap(source: str, target: pd.Timestamp, coverage: float, iso3: str, row: Any, seen: Any) -> Gap:
    value = int(row["value"])
    return Gap(
        country=name_for_iso3(iso3) or iso3,
        iso3=iso3,
        source=source,
        month=target.strftime("%Y-%m"),
        value=value,
        expected=round(float(row["expected"]), 3),
        baseline=round(float(row["mean"]), 3),
        coverage=round(coverage, 3),
        p_value=float(f"{float(row['p']):.3g}"),
        severity="high" if value == 0 else "moderate",
        last_event=str(seen)[:10] if seen is not None else None,
    )


def _months_between(first: pd.Timestamp, target: pd.Timestamp) -> int:
    return (target.year - first.year) * 12 + target.month - first.month
