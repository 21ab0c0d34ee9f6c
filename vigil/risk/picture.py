"""The risk picture: every country's forecast with its interval, history, change and drivers.

One object, built by one function, that the web pages and briefs read (and the API's forecasts
come from the same fitted models, through :func:`vigil.risk.forecast.cached_forecast`).
Building it fits the model once for this year and once for last year (exactly as ``vigil
forecast`` and ``vigil explain`` do, so every interface agrees), reads the shipped history and
bootstrap intervals when they match the table and seed, and explains every country with
:func:`vigil.risk.explain.explain_all`. It is cached as JSON in the data directory, keyed on
(data hash, model, horizon, base year, seed), so later starts load it in well under a second.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from vigil import __version__
from vigil.files import atomic_write_text
from vigil.risk.explain import TOP, Explanation, explain_all
from vigil.risk.forecast import HORIZON, ForecastPair, cached_forecast, forecast_pair
from vigil.risk.history import reproduces, shipped_history, shipped_intervals
from vigil.risk.table import RiskTable

#: Table codes that differ from the map's ISO codes (the EWP table keeps COW-era codes).
MAP_ALIASES = {"VDR": "VNM"}
PICTURE_VERSION = 8
STALE = (
    "The shipped history and intervals of model {model} were made by another version of the "
    "model, so they are not shown; regenerate them with `vigil precompute`."
)


@dataclass(frozen=True)
class RiskPicture:
    """Everything the public pages need about structural risk, keyed by ISO3."""

    model: str
    base_year: int
    provenance: dict[str, Any]
    countries: list[dict[str, Any]]
    interval_note: str
    history_note: str
    complete: bool = True
    horizon: int = HORIZON
    by_iso3: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RiskPicture:
        countries = data["countries"]
        return cls(
            model=data["model"],
            base_year=int(data["base_year"]),
            provenance=data["provenance"],
            countries=countries,
            interval_note=data["interval_note"],
            history_note=data["history_note"],
            complete=bool(data.get("complete", True)),
            horizon=int(data.get("horizon", HORIZON)),
            by_iso3={c["iso3"]: c for c in countries},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": PICTURE_VERSION,
            "model": self.model,
            "base_year": self.base_year,
            "horizon": self.horizon,
            "provenance": self.provenance,
            "countries": self.countries,
            "interval_note": self.interval_note,
            "history_note": self.history_note,
            "complete": self.complete,
        }

    @property
    def data_sha256(self) -> str:
        return str(self.provenance["data_sha256"])

    @property
    def regions(self) -> list[str]:
        return sorted({c["region"] for c in self.countries if c["region"]})

    def forecast_frames(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """This year's and last year's forecasts in the columns of :mod:`vigil.risk.forecast`,
        as :attr:`ForecastPair.frames` gives them (last year's is None if not computed)."""
        common = [
            {"country": c["name"], "iso3": c["iso3"], "model": self.model} for c in self.countries
        ]
        now = [
            {**k, "base_year": self.base_year, "probability": c["probability"], "rank": c["rank"]}
            for k, c in zip(common, self.countries, strict=True)
        ]
        before = [
            {**k, "base_year": self.base_year - 1, "probability": c["previous"],
             "rank": c["previous_rank"]}
            for k, c in zip(common, self.countries, strict=True)
            if c["previous"] is not None
        ]  # fmt: skip
        previous = pd.DataFrame(before) if self.complete else None
        return pd.DataFrame(now), previous


def picture_path(home: Path, model: str, year: int, sha256: str, seed: int) -> Path:
    """Where the picture of (data hash, model, horizon, base year, seed) is cached."""
    name = (
        f"picture-v{PICTURE_VERSION}-{__version__}-{sha256[:12]}-{model}-h{HORIZON}-{year}-"
        f"{seed}.json"
    )
    return home / "web" / name


def load_picture(
    table: RiskTable, home: Path, *, seed: int, model: str | None = None, quick: bool = False
) -> RiskPicture:
    """The cached picture of the table's last year (default model), built and cached if missing.

    With ``quick``, a picture that would need a second refit (last year's forecast) is
    returned without it, marked incomplete and not cached; the server shows it at once and
    completes it in the background.
    """
    from vigil.risk.models import default_model

    name = model or default_model()
    path = picture_path(home, name, table.last_year, table.sha256, seed)
    if path.exists():
        return RiskPicture.from_dict(json.loads(path.read_text(encoding="utf-8")))
    picture = build_picture(table, name, seed=seed, home=home, refit_previous=not quick)
    if picture.complete:
        atomic_write_text(path, json.dumps(picture.to_dict()))
    return picture


def build_picture(
    table: RiskTable, model: str, *, seed: int, home: Path, refit_previous: bool = True
) -> RiskPicture:
    """Fit ``model`` for the table's last year (and the year before) and assemble the picture."""
    from vigil.risk.outputs import save_forecast

    home.mkdir(parents=True, exist_ok=True)
    if refit_previous:
        pair = forecast_pair(table, model, table.last_year, seed=seed)
    else:
        pair = ForecastPair(cached_forecast(table, model, table.last_year, seed=seed), None)
    save_forecast(home, pair.current)
    history, history_note = shipped_history(table, model, seed)
    intervals, interval_note = shipped_intervals(table, model, seed)
    if not history.empty and not reproduces(history, pair.current.frame):
        history, history_note = pd.DataFrame(), STALE.format(model=model)
        intervals, interval_note = pd.DataFrame(), ""
    explained = explain_all(pair)
    one_year = cached_forecast(table, model, table.last_year, seed=seed, horizon=1).frame
    next_year = dict(zip(one_year["iso3"].astype(str), one_year["probability"], strict=True))
    return RiskPicture.from_dict(
        {
            "model": model,
            "base_year": table.last_year,
            "provenance": pair.current.provenance.to_dict(),
            "countries": _countries(explained, history, intervals, next_year),
            "interval_note": interval_note,
            "history_note": history_note,
            "complete": pair.previous is not None or refit_previous,
        }
    )


def drivers_view(e: Explanation) -> dict[str, Any]:
    """The drivers a page shows for one country: the top of each view of the explanation."""
    return {
        "up": [d.as_dict() for d in e.counterfactual_up],
        "down": [d.as_dict() for d in e.counterfactual_down],
        "contributions": [d.as_dict() for d in e.contributions[:TOP]],
        "reference": e.reference,
        "reference_probability": e.reference_probability,
        "change": [d.as_dict() for d in e.change_drivers[:TOP]],
        "change_from_refit": e.change_from_refit,
    }


def _countries(
    explained: list[Explanation],
    history: pd.DataFrame,
    intervals: pd.DataFrame,
    next_year: dict[str, float],
) -> list[dict[str, Any]]:
    """Per country: the two-year forecast with its interval, history and drivers, and the
    one-year forecast (``next_year``, by ISO3) beside it."""
    bounds: dict[str, Any] = {
        str(r.iso3): (r.low, r.high) for r in intervals.itertuples(index=False)
    }
    series = _series(history)
    out = []
    for e in explained:
        iso3 = str(e.iso3)
        low, high = bounds.get(iso3, (None, None))
        past = [pt for pt in series.get(iso3, []) if pt[0] < e.base_year]
        out.append(
            {
                "iso3": iso3,
                "map_id": MAP_ALIASES.get(iso3, iso3),
                "name": e.country,
                "region": region_of(iso3),
                "probability": e.probability,
                "probability_1y": _finite(next_year.get(iso3)),
                "rank": e.rank,
                "previous": e.previous_probability,
                "previous_rank": e.previous_rank,
                "change": e.change,
                "low": _finite(low),
                "high": _finite(high),
                "history": [*past, [e.base_year, e.probability]],
                "drivers": drivers_view(e),
            }
        )
    return out


def _series(history: pd.DataFrame) -> dict[str, list[list[float]]]:
    if history.empty:
        return {}
    ordered = history.sort_values("base_year")
    return {
        str(iso3): [
            [int(y), float(p)] for y, p in zip(g["base_year"], g["probability"], strict=True)
        ]
        for iso3, g in ordered.groupby("iso3")
    }


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@cache
def region_of(iso3: str) -> str:
    """The UN region of a country (table codes such as VDR mapped to ISO first)."""
    from vigil.countries import converter

    data = converter().data
    match = data.loc[data["ISO3"] == MAP_ALIASES.get(iso3, iso3), "UNregion"]
    return str(match.iloc[0]) if len(match) else ""
