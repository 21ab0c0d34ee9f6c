"""Escalation signals: months where violence rises far above a unit's own recent baseline.

Detection method: for every unit (country or admin1) and month, the previous 12 months form the
baseline, and the month's count is judged against a negative binomial fitted to that window by
the method of moments (Poisson when the window is not over-dispersed). Why this and not a
change-point method: monthly death counts are bursty — one massacre makes a month — so a Poisson
test would fire constantly, while the negative binomial's variance grows with the window's own
variance; a rolling window adapts to each unit's current regime and gives an answer for the latest
month at once, whereas change-point methods (PELT, BOCPD) segment history and need several months
after a change to locate it. A signal fires when the upper-tail probability is below 1%, the count
is at least twice the baseline mean and at least 10. "Emergence" fires when organised violence
appears in a unit with none in the previous 12 months. Forecast signals come from
:mod:`vigil.events.nowcast`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from vigil.countries import name_for_iso3
from vigil.events import nowcast
from vigil.events.panels import KEYS, LETHAL, Level, build_panel
from vigil.events.store import EventStore

#: Severity of a signal, lowest first; its rank is its position.
SIGNAL_SEVERITY = {"low": 0, "moderate": 1, "high": 2, "critical": 3}
WINDOW = 12
ALPHA = 0.01
MIN_VALUE = 10
SURGES = {"civilian_deaths": "civilian_deaths_surge", "fatalities": "fatalities_surge"}
CSV_COLUMNS = (
    "country",
    "iso3",
    "admin1",
    "month",
    "signal",
    "severity",
    "value",
    "baseline",
    "probability",
)
LETHAL_EVENTS = [f"events_{t.value}" for t in LETHAL]


@dataclass(frozen=True, slots=True)
class Signal:
    """One early-warning signal for one unit and month.

    ``value`` is the month's count (or, for forecasts, the latest month's), ``baseline`` the
    window mean it is judged against, ``probability`` a forecast's probability (None for
    detections), ``p_value`` a detection's upper-tail probability under the baseline, and
    ``events`` the ids (``source:source_id``) of the events behind it.
    """

    country: str
    iso3: str
    admin1: str | None
    month: str
    signal: str
    severity: str
    value: float | None
    baseline: float | None
    probability: float | None = None
    p_value: float | None = None
    events: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """All fields as a JSON-ready dict."""
        out = asdict(self)
        out["events"] = list(self.events)
        return out


def nb_upper_tail(value: np.ndarray, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """P(X ≥ value) under a negative binomial with this mean and variance (Poisson if var ≤ mean).

    The mean is floored at 0.5 so that a quiet window does not make one death infinitely
    surprising (emergence from zero is its own signal).
    """
    mean = np.maximum(mean, 0.5)
    over = var > mean
    size = np.where(over, mean**2 / np.maximum(var - mean, 1e-9), 1.0)
    nb = stats.nbinom.sf(value - 1, size, size / (size + mean))
    poisson = stats.poisson.sf(value - 1, mean)
    return np.where(over, nb, poisson)


def surge_severity(value: float, p_value: float) -> str:
    """critical: ≥100 and p < 1e-4; high: p < 1e-3; moderate otherwise."""
    if value >= 100 and p_value < 1e-4:
        return "critical"
    return "high" if p_value < 1e-3 else "moderate"


def detect(panel: pd.DataFrame, level: Level, month: pd.Timestamp | None = None) -> pd.DataFrame:
    """Surge and emergence detections in a complete panel, one row per signal.

    Only ``month`` is reported when given; otherwise every month with a full baseline window.
    """
    keys = list(KEYS[level])
    units = panel.groupby(keys, sort=False, dropna=False)
    found = []
    for column, name in SURGES.items():
        past = units[column].shift(1)
        grouped = past.groupby([panel[k] for k in keys], dropna=False)
        mean = grouped.transform(lambda s: s.rolling(WINDOW, WINDOW).mean())
        var = grouped.transform(lambda s: s.rolling(WINDOW, WINDOW).var())
        now = panel["month"] == month if month is not None else True
        rows = panel.loc[now & mean.notna(), [*keys, "month", column]]
        rows = rows.rename(columns={column: "value"})
        rows["baseline"] = mean[rows.index]
        rows["p_value"] = nb_upper_tail(
            rows["value"].to_numpy(float), rows["baseline"].to_numpy(), var[rows.index].to_numpy()
        )
        fire = (
            (rows["p_value"] < ALPHA)
            & (rows["value"] >= MIN_VALUE)
            & (rows["value"] >= 2 * rows["baseline"])
        )
        rows = rows[fire].assign(signal=name)
        rows["severity"] = [
            surge_severity(v, p) for v, p in zip(rows.value, rows.p_value, strict=True)
        ]
        found.append(rows)
    found.append(_emergence(panel, level, month))
    return pd.concat(found, ignore_index=True)


def _emergence(panel: pd.DataFrame, level: Level, month: pd.Timestamp | None) -> pd.DataFrame:
    keys = list(KEYS[level])
    lethal = panel[LETHAL_EVENTS].sum(axis=1)
    grouped = lethal.groupby([panel[k] for k in keys], dropna=False)
    before = grouped.transform(lambda s: s.shift(1).rolling(WINDOW, WINDOW).sum())
    now = panel["month"] == month if month is not None else True
    fire = now & (before == 0) & (lethal > 0)
    rows = panel.loc[fire, [*keys, "month", "fatalities"]].rename(columns={"fatalities": "value"})
    rows = rows.assign(baseline=0.0, p_value=np.nan, signal="violence_emergence")
    rows["severity"] = np.where(rows["value"] >= 25, "high", "moderate")
    return rows


def forecast_signals(
    panel: pd.DataFrame, level: Level, month: pd.Timestamp, min_probability: float
) -> pd.DataFrame:
    """Forecast rows from ``month``: P(≥25 deaths) in each of the next 1–3 months, per target."""
    history = panel[panel["month"] <= month].reset_index(drop=True)
    keys = list(KEYS[level])
    parts = []
    for name, column in nowcast.TARGETS.items():
        for horizon in nowcast.HORIZONS:
            result = nowcast.forecast(history, level, nowcast.Target(column, horizon))
            latest = history.loc[history["month"] == month]
            result["value"] = latest[column].to_numpy(float)
            result["baseline"] = _recent_mean(history, level, column, month)
            result["signal"] = f"forecast_{name}_25_h{horizon}"
            result["month"] = result["target_month"]
            parts.append(result[result["probability"] >= min_probability])
    if not parts:
        return pd.DataFrame(columns=[*keys, "month", "probability"])
    rows = pd.concat(parts, ignore_index=True)
    rows["severity"] = pd.cut(
        rows["probability"], [-1, 0.4, 0.7, 2], labels=["low", "moderate", "high"]
    ).astype(str)
    return rows


def _recent_mean(panel: pd.DataFrame, level: Level, column: str, month: pd.Timestamp) -> Any:
    keys = list(KEYS[level])
    recent = panel[(panel["month"] <= month) & (panel["month"] > month - pd.DateOffset(months=3))]
    means = recent.groupby(keys, sort=False, dropna=False)[column].mean()
    latest = panel.loc[panel["month"] == month, keys]
    return means.reindex(
        pd.MultiIndex.from_frame(latest) if len(keys) > 1 else latest[keys[0]]
    ).to_numpy()


def monitor(
    store: EventStore,
    month: str | None = None,
    *,
    forecasts: bool = True,
    min_probability: float = 0.1,
    events_per_signal: int = 20,
    gaps: bool = True,
) -> list[Signal]:
    """Every signal for ``month`` (YYYY-MM; the latest month in the store when None).

    Country and admin1 levels are both analysed; forecasts look 1–3 months past ``month``.
    With ``gaps``, reporting gaps (:mod:`vigil.events.gaps`) follow the escalation signals.
    """
    signals: list[Signal] = []
    for level in ("country", "admin1"):
        panel = build_panel(store, level)
        if panel.empty:
            continue
        when = pd.Timestamp(month + "-01") if month else panel["month"].max()
        if when not in set(panel["month"]):
            continue
        rows = [detect(panel, level, when)]
        if forecasts:
            rows.append(forecast_signals(panel, level, when, min_probability))
        frame = pd.concat(rows, ignore_index=True)
        signals += [
            _signal(store, row, level, events_per_signal) for row in frame.to_dict("records")
        ]
    if gaps:
        from vigil.events.gaps import reporting_gaps

        signals += [gap.as_signal() for gap in reporting_gaps(store, month)]
    return signals


def _signal(store: EventStore, row: dict[Any, Any], level: str, limit: int) -> Signal:
    iso3 = str(row["iso3"])
    admin1 = row.get("admin1") if level == "admin1" else None
    detection = not str(row["signal"]).startswith("forecast_")
    month = pd.Timestamp(row["month"])
    events = _events_behind(store, iso3, admin1, month, limit) if detection else ()
    probability = row.get("probability")
    p_value = row.get("p_value")
    return Signal(
        country=name_for_iso3(iso3) or iso3,
        iso3=iso3,
        admin1=str(admin1) if admin1 is not None else None,
        month=month.strftime("%Y-%m"),
        signal=str(row["signal"]),
        severity=str(row["severity"]),
        value=_number(row.get("value")),
        baseline=_number(row.get("baseline")),
        probability=_number(probability),
        p_value=None if _number(p_value) is None else float(f"{p_value:.3g}"),
        events=events,
    )


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return round(float(value), 6)


def _events_behind(
    store: EventStore, iso3: str, admin1: str | None, month: pd.Timestamp, limit: int
) -> tuple[str, ...]:
    """Ids of the month's lethal events in the unit, deadliest first."""
    lethal = ", ".join(f"'{t.value}'" for t in LETHAL)
    sql = f"""SELECT source || ':' || source_id FROM events
        WHERE iso3 = ? AND month = ? AND violence_type IN ({lethal})
        {"AND admin1 = ?" if admin1 is not None else ""}
        ORDER BY coalesce(fatalities_best, 0) DESC, source_id LIMIT {int(limit)}"""
    params: list[Any] = [iso3, month.date()] + ([admin1] if admin1 is not None else [])
    with store.connect() as con:
        return tuple(str(r[0]) for r in con.execute(sql, params).fetchall())


def latest_signals(store: EventStore, iso3: str, n: int = 5) -> list[Signal]:
    """The ``n`` most recent detection signals for a country (any of its units), newest first.

    Scans every month of the country's panels, so ``vigil explain`` can show the latest signals
    beside the structural risk even when the store's last month was quiet for that country.
    """
    rank = SIGNAL_SEVERITY
    rows = []
    for level in ("country", "admin1"):
        panel = build_panel(store, level)
        if not panel.empty:
            panel = panel[panel["iso3"] == iso3].reset_index(drop=True)
            rows += [(level, r) for r in detect(panel, level).to_dict("records")]
    rows.sort(
        key=lambda item: (item[1]["month"], item[0] == "country", rank[item[1]["severity"]]),
        reverse=True,
    )
    return [_signal(store, row, level, 20) for level, row in rows[:n]]
