"""The risk picture the pages show: the current forecast with intervals, history and drivers.

Building it fits the default model once (exactly as ``vigil forecast`` does, so the pages and
the command agree), reads the shipped history and bootstrap intervals when they match the
table, and explains every country. The result is cached as JSON in the data directory, keyed
by model, base year, data hash and seed, so later starts load it in well under a second.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from vigil import __version__
from vigil.data import bundled
from vigil.provenance import utc_now
from vigil.settings import Settings
from vigil.web.precompute import HISTORY_FILE, INTERVAL_FILE, META_FILE

#: Table codes that differ from the map's ISO codes (the EWP table keeps COW-era codes).
MAP_ALIASES = {"VDR": "VNM"}
SNAPSHOT_VERSION = 6


@dataclass(frozen=True)
class RiskSnapshot:
    """Everything the public pages need about structural risk, keyed by ISO3."""

    model: str
    base_year: int
    provenance: dict[str, Any]
    countries: list[dict[str, Any]]
    interval_note: str
    history_note: str
    complete: bool = True
    by_iso3: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RiskSnapshot:
        countries = data["countries"]
        return cls(
            model=data["model"],
            base_year=int(data["base_year"]),
            provenance=data["provenance"],
            countries=countries,
            interval_note=data["interval_note"],
            history_note=data["history_note"],
            complete=bool(data.get("complete", True)),
            by_iso3={c["iso3"]: c for c in countries},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SNAPSHOT_VERSION,
            "model": self.model,
            "base_year": self.base_year,
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


def snapshot_path(home: Path, model: str, year: int, sha256: str, seed: int) -> Path:
    """Where the snapshot of (model, base year, data, seed) is cached."""
    name = f"snapshot-v{SNAPSHOT_VERSION}-{__version__}-{model}-{year}-{sha256[:12]}-{seed}.json"
    return home / "web" / name


def load_snapshot(settings: Settings, *, quick: bool = False) -> RiskSnapshot:
    """The cached snapshot for the current default model, built (and cached) if missing.

    With ``quick``, a snapshot that would need a second refit (last year's forecast, when no
    matching history is shipped) is returned without it, marked incomplete and not cached;
    the server shows it at once and completes it in the background.
    """
    from vigil.risk.models import default_model
    from vigil.risk.table import load_table

    table = load_table()
    model = default_model()
    path = snapshot_path(settings.home, model, table.last_year, table.sha256, settings.seed)
    if path.exists():
        return RiskSnapshot.from_dict(json.loads(path.read_text(encoding="utf-8")))
    snapshot = build_snapshot(table, model, settings, refit_previous=not quick)
    if snapshot.complete:
        _atomic_write(path, json.dumps(snapshot.to_dict()))
    return snapshot


def build_snapshot(
    table: Any, model: str, settings: Settings, *, refit_previous: bool = True
) -> RiskSnapshot:
    """Fit ``model`` for the table's last year and assemble the per-country picture."""
    from vigil.risk.forecast import cached_forecast, design_frame
    from vigil.risk.outputs import save_forecast

    design = design_frame(table)
    current = cached_forecast(table, model, table.last_year, seed=settings.seed)
    save_forecast(settings.ensure_home(), current)
    history, history_note = _history(table, model, settings.seed)
    intervals, interval_note = _intervals(table, model, settings.seed)
    if not history.empty and not reproduces(history, current.frame):
        stale = (
            f"The shipped history and intervals of model {model} were made by another version "
            "of the model, so they are not shown; regenerate them with "
            "`python -m vigil.web.precompute`."
        )
        history, history_note = pd.DataFrame(), stale
        intervals, interval_note = pd.DataFrame(), ""
    previous = _previous_frame(table, model, settings.seed, design, history, refit_previous)
    drivers = _all_drivers(current, previous, design)
    countries = _countries(current.frame, previous, history, intervals, drivers)
    provenance = current.provenance.to_dict()
    return RiskSnapshot.from_dict(
        {
            "model": model,
            "base_year": table.last_year,
            "provenance": provenance,
            "countries": countries,
            "interval_note": interval_note,
            "history_note": history_note,
            "complete": not previous.empty or refit_previous,
        }
    )


@cache
def _precomputed_meta() -> dict[str, Any]:
    path = bundled(META_FILE)
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}


def _matches(table: Any, seed: int) -> bool:
    meta = _precomputed_meta()
    return meta.get("data_sha256") == table.sha256 and meta.get("seed") == seed


def _history(table: Any, model: str, seed: int) -> tuple[pd.DataFrame, str]:
    """Shipped history of ``model`` (empty, with the reason, if it does not apply)."""
    path = bundled(HISTORY_FILE)
    if not path.exists() or not _matches(table, seed):
        return pd.DataFrame(), "No risk history is shipped for this table and seed."
    frame = pd.read_csv(path)
    frame = frame[frame["model"] == model]
    if frame.empty:
        return frame, f"No risk history is shipped for model {model}."
    first, last = int(frame["base_year"].min()), int(frame["base_year"].max())
    note = (
        f"History: the {model} model refitted for every base year {first}–{last} on what was "
        "known then (years ≤ base year − 2), as `vigil forecast --base-year` does."
    )
    return frame, note


def reproduces(history: pd.DataFrame, current: pd.DataFrame, tolerance: float = 1e-4) -> bool:
    """Whether the shipped history's latest year is the forecast just made (same model code)."""
    year = int(current["base_year"].iloc[0])
    shipped = history[history["base_year"] == year].set_index("ccode")["probability"]
    now = current.set_index("ccode")["probability"]
    common = shipped.index.intersection(now.index)
    if len(common) != len(now):
        return False
    return bool((shipped[common] - now[common]).abs().max() <= tolerance)


def _previous_frame(
    table: Any,
    model: str,
    seed: int,
    design: pd.DataFrame,
    history: pd.DataFrame,
    refit: bool,
) -> pd.DataFrame:
    """Last year's forecast: from the shipped history, else one more refit (if allowed)."""
    from vigil.risk.forecast import forecast

    year = table.last_year - 1
    if not history.empty and year in set(history["base_year"]):
        return history[history["base_year"] == year].reset_index(drop=True)
    if not refit:
        return pd.DataFrame(columns=["country", "iso3", "probability", "rank"])
    return forecast(table, model, year, seed=seed, design=design).frame


def _intervals(table: Any, model: str, seed: int) -> tuple[pd.DataFrame, str]:
    path = bundled(INTERVAL_FILE)
    if not path.exists() or not _matches(table, seed):
        return pd.DataFrame(), "No probability interval: none is shipped for this table."
    frame = pd.read_csv(path)
    frame = frame[(frame["model"] == model) & (frame["base_year"] == table.last_year)]
    if frame.empty:
        return frame, f"No probability interval is shipped for model {model}."
    draws = int(frame["draws"].iloc[0])
    note = (
        f"Interval: 5th–95th percentile of {draws} refits of the {model} model on training "
        "data resampled by country (a country-cluster bootstrap, all of a country's years "
        "drawn together). It shows how much the forecast depends on which countries' "
        "histories the model learnt from; it does not cover the choice of model."
    )
    return frame, note


def _all_drivers(
    current: Any, previous: pd.DataFrame, design: pd.DataFrame
) -> dict[str, dict[str, Any]]:
    from vigil.web.drivers import all_drivers

    earlier = design[design["year"] == current.frame["base_year"].iloc[0] - 1]
    return all_drivers(current, previous, earlier)


def _countries(
    frame: pd.DataFrame,
    previous: pd.DataFrame,
    history: pd.DataFrame,
    intervals: pd.DataFrame,
    drivers: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    before: dict[str, Any] = {str(r.iso3): r for r in previous.itertuples(index=False)}
    bounds: dict[str, Any] = {
        str(r.iso3): (r.low, r.high) for r in intervals.itertuples(index=False)
    }
    series = _series(history)
    out = []
    rows: list[Any] = list(frame.itertuples(index=False))
    for row in rows:
        iso3 = str(row.iso3)
        p = float(row.probability)
        prev = before.get(iso3)
        low, high = bounds.get(iso3, (None, None))
        past = [pt for pt in series.get(iso3, []) if pt[0] < int(row.base_year)]
        out.append(
            {
                "iso3": iso3,
                "map_id": MAP_ALIASES.get(iso3, iso3),
                "name": str(row.country),
                "region": region_of(iso3),
                "probability": p,
                "rank": int(row.rank),
                "previous": None if prev is None else float(prev.probability),
                "previous_rank": None if prev is None else int(prev.rank),
                "change": None if prev is None else p - float(prev.probability),
                "low": _finite(low),
                "high": _finite(high),
                "history": [*past, [int(row.base_year), p]],
                "drivers": drivers.get(iso3, {}),
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


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temporary, path)


def stamp() -> str:
    """The time a page or brief was produced (UTC, ISO 8601)."""
    return utc_now()
