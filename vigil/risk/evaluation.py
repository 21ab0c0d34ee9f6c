"""A scored backtest: predictions, comparison table, summary and its outputs (CSV, JSON, HTML).

:func:`evaluate` runs the walk-forward backtest and scores it; :func:`write_outputs`
renders every requested file in memory first and then writes each atomically,
so a failure leaves nothing half-written.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from vigil.errors import UsageError
from vigil.files import atomic_write_text
from vigil.provenance import Provenance
from vigil.risk import metrics
from vigil.risk.backtest import PREDICTION_COLUMNS, Progress, run_backtest
from vigil.risk.models import MODELS, choose_default
from vigil.risk.paired import format_differences, paired_differences
from vigil.risk.table import RiskTable
from vigil.risk.track_record import recalibrate

#: The model every other is compared with, draw by draw: the public model.
REFERENCE = "ewp"


@dataclass(frozen=True)
class Evaluation:
    """Walk-forward predictions of several models and their scores."""

    predictions: pd.DataFrame
    table: pd.DataFrame
    design: dict[str, Any]
    provenance: Provenance
    #: Each model minus the reference model on the same country resamples (None: not run).
    paired: pd.DataFrame | None = None

    @property
    def default(self) -> str:
        """The model the default-model rule picks among the scored ones."""
        return choose_default(self.pooled())

    def pooled(self) -> dict[str, dict[str, float]]:
        rows = self.table.to_dict(orient="index")
        return {str(k): {str(m): v for m, v in row.items()} for k, row in rows.items()}

    def text(self) -> str:
        """The comparison table as printed by ``vigil backtest``."""
        design = self.design
        title = (f"Walk-forward backtest, base years {design['start']}–{design['end']} "
                 f"(train on years ≤ t − 2; outcome: onset in t + 1 or t + 2)")  # fmt: skip
        if design.get("calibration"):
            title += f"; corrected from the track record ({design['calibration']})"
        rule = f"default by the rule (see `vigil models`): {self.default}"
        parts = [title, metrics.format_table(self.table), rule]
        if self.paired is not None and not self.paired.empty:
            parts += ["", format_differences(self.paired, self.design["reference"])]
        return "\n".join(parts)

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary: design, provenance, pooled scores and the chosen default."""
        pooled = {
            name: {k: _rounded(v) for k, v in row.items()} for name, row in self.pooled().items()
        }
        provenance = self.provenance.to_dict()
        provenance["data_source"] = Path(provenance["data_source"]).name  # no local paths
        summary = {
            "design": self.design,
            "provenance": provenance,
            "pooled": pooled,
            "default": self.default,
        }
        if self.paired is not None:
            rows = self.paired.to_dict(orient="index")
            summary["paired"] = {
                str(n): {str(k): _rounded(v) for k, v in r.items()} for n, r in rows.items()
            }
        return summary


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    return int(value) if hasattr(value, "item") and float(value).is_integer() else value


def evaluate(
    table: RiskTable,
    models: Sequence[str],
    start: int = 1993,
    end: int = 2022,
    *,
    progress: Progress | None = None,
    seed: int = 0,
    n_boot: int = 500,
    n_jobs: int = 2,
    calibration: str = "none",
) -> Evaluation:
    """Run the walk-forward backtest of ``models`` on ``table`` and score it.

    ``calibration`` other than ``"none"`` corrects each forecast on the model's own earlier
    forecasts with known outcomes (:mod:`vigil.risk.track_record`) before scoring.
    """
    predictions = run_backtest(
        table.frame, models, start, end, progress=progress, random_state=seed, n_jobs=n_jobs
    )
    if calibration != "none":
        predictions = recalibrate(predictions, calibration)
    scores = metrics.comparison(predictions, n_boot=n_boot, seed=seed)
    first = scores.iloc[0]
    design = {
        "start": start, "end": end, "gap": 2, "models": list(scores.index),
        "n": int(first["n"]), "onsets": int(first["onsets"]), "n_boot": n_boot, "seed": seed,
    }  # fmt: skip
    provenance = Provenance(
        data_source=table.source, data_sha256=table.sha256, model=",".join(scores.index),
        parameters={"start": start, "end": end, "seed": seed},
    )  # fmt: skip
    reference = REFERENCE if REFERENCE in scores.index else str(scores.index[0])
    design["reference"] = reference
    if calibration != "none":
        design["calibration"] = calibration
    paired = (paired_differences(predictions, reference, n_boot=n_boot, seed=seed)
              if n_boot > 0 and len(scores) > 1 else None)  # fmt: skip
    return Evaluation(predictions=predictions, table=scores, design=design,
                      provenance=provenance, paired=paired)  # fmt: skip


def check_destination(path: Path | None, directory: bool = False) -> None:
    """Refuse an output path whose folder does not exist (before any work is done)."""
    if path is None:
        return
    parent = path if directory and path.exists() else path.parent
    if directory and path.exists() and not path.is_dir():
        raise UsageError(f"{path} exists and is not a directory; give a directory for --report")
    if not parent.exists() or not parent.is_dir():
        raise UsageError(f"cannot write to {path}: folder {parent} does not exist")


def predictions_csv(predictions: pd.DataFrame) -> str:
    """Predictions as CSV: ``country,ccode,iso3,base_year,model,probability,outcome``."""
    return str(predictions[list(PREDICTION_COLUMNS)].to_csv(index=False, float_format="%.6g"))


def write_outputs(
    result: Evaluation,
    *,
    predictions: Path | None = None,
    report: Path | None = None,
    summary: Path | None = None,
) -> None:
    """Write the requested files; all content is rendered before the first byte is written."""
    for path, is_dir in ((predictions, False), (report, True), (summary, False)):
        check_destination(path, directory=is_dir)
    files: list[tuple[Path, str]] = []
    if predictions is not None:
        files.append((predictions, predictions_csv(result.predictions)))
    if summary is not None:
        files.append((summary, json.dumps(result.summary(), indent=2, ensure_ascii=False) + "\n"))
    if report is not None:
        from plotly.offline import get_plotlyjs

        from vigil.risk.report import PAGE, SCRIPT, render

        descriptions = {name: spec.description for name, spec in MODELS.items()}
        page = render(result.table, result.predictions, result.design,
                      result.provenance.to_dict(), descriptions, result.default)  # fmt: skip
        files += [(report / PAGE, page), (report / SCRIPT, get_plotlyjs())]
        report.mkdir(exist_ok=True)
    for path, text in files:
        atomic_write_text(path, text)
