"""Speed of the structural risk engine, side by side with an R reference.

Run:  .venv/bin/python benchmarks/bench_risk.py [--no-install] [--skip-backtest]

Set-up: installs R and glmnet from Debian (``apt-get install -y r-base-core r-cran-glmnet``)
unless ``Rscript`` with glmnet is already there (``--no-install`` skips that step).

Times, each in its own process (start-up and imports included, as a user would wait):
1. the R reference ``ewp_reference.R``: 31 walk-forward ``cv.glmnet`` refits (base years
   1993–2023) plus the final fit for 2024;
2. Vigil's parity run: the same 32 fits with :class:`vigil.risk.ewp.EWPModel`;
3. the all-models backtest ``vigil backtest`` (1993–2022, every model, bootstrap intervals).

Prints wall time, peak memory (resident set of the whole process tree, sampled every 20 ms)
and the ratio to R, plus how closely the parity run's probabilities match R's.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

HERE = Path(__file__).resolve().parent
BACKTEST_LIBRARY = (
    "from vigil.risk.evaluation import evaluate; from vigil.risk.models import MODELS; "
    "from vigil.risk.table import load_table; evaluate(load_table(), list(MODELS))"
)
FIRST, LAST = 1993, 2024


@dataclass(frozen=True)
class Measurement:
    name: str
    wall: float
    peak_mb: float


def ensure_r(install: bool) -> bool:
    """True when Rscript with glmnet is available (installing it from Debian if allowed)."""
    if _has_glmnet():
        return True
    if install and shutil.which("apt-get"):
        print("installing R and glmnet: apt-get install -y r-base-core r-cran-glmnet", flush=True)
        subprocess.run(["apt-get", "install", "-y", "r-base-core", "r-cran-glmnet"], check=False,
                       stdout=subprocess.DEVNULL)  # fmt: skip
    return _has_glmnet()


def _has_glmnet() -> bool:
    if not shutil.which("Rscript"):
        return False
    probe = subprocess.run(["Rscript", "-e", "library(glmnet)"], capture_output=True, check=False)
    return probe.returncode == 0


def measure(name: str, command: list[str]) -> Measurement:
    """Run ``command``; return its wall time and the peak summed RSS of its process tree."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    root = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.02)
    wall = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"{name} failed with exit code {process.returncode}: {command}")
    return Measurement(name, wall, peak / 2**20)


def parity_child(out: str) -> None:
    """The parity run: 31 walk-forward EWPModel refits (1993–2023) and the final 2024 fit."""
    from vigil.risk.ewp import EWPModel
    from vigil.risk.table import EWP_PREDICTORS, TARGET, load_table

    table = load_table()
    frame = table.frame[table.frame[list(EWP_PREDICTORS)].notna().all(axis=1)]
    start = time.perf_counter()
    parts = []
    for year in range(FIRST, LAST + 1):
        train = frame[frame["year"] <= year - 2]
        test = frame[frame["year"] == year]
        model = EWPModel(random_state=0).fit(train, train[TARGET])
        parts.append(pd.DataFrame({"base_year": year, "ccode": test["ccode"].to_numpy(),
                                   "probability": model.predict_proba(test)[:, 1]}))  # fmt: skip
    Path(out + ".seconds").write_text(f"{time.perf_counter() - start:.2f}")
    pd.concat(parts).to_csv(out, index=False)


def agreement(python_csv: Path, r_csv: Path) -> str:
    """How closely the parity run matches R: probability gaps and rank agreement."""
    py = pd.read_csv(python_csv)
    r = pd.read_csv(r_csv)
    both = py.merge(r, on=["base_year", "ccode"], suffixes=("_py", "_r"))
    gap = (both["probability_py"] - both["probability_r"]).abs()
    spearman = both.groupby("base_year")[["probability_py", "probability_r"]].apply(
        lambda g: g.rank().corr().iloc[0, 1]
    )
    latest = both[both["base_year"] == LAST]
    top_py = set(latest.nlargest(30, "probability_py")["ccode"])
    top_r = set(latest.nlargest(30, "probability_r")["ccode"])
    return (f"parity vs R over {len(both)} forecasts: max |Δp| {gap.max():.4f}, "
            f"mean |Δp| {gap.mean():.5f}, lowest yearly Spearman {spearman.min():.4f}; "
            f"top 30 for {LAST}: {len(top_py & top_r)} of 30 shared")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-install", action="store_true", help="Do not install R.")
    parser.add_argument("--skip-backtest", action="store_true", help="Only the parity runs.")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        parity_child(args.child[1])
        return
    from vigil import __version__
    from vigil.data import EWP_TABLE, bundled

    has_r = ensure_r(install=not args.no_install)
    rows: list[Measurement] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        table = work / "table.csv"
        table.write_bytes(gzip.decompress(bundled(EWP_TABLE).read_bytes()))
        if has_r:
            rows.append(measure("R cv.glmnet reference (32 fits)",
                                ["Rscript", str(HERE / "ewp_reference.R"), str(table),
                                 str(work / "r.csv"), str(FIRST), str(LAST)]))  # fmt: skip
        child = [sys.executable, __file__, "--child", "parity", str(work / "py.csv")]
        rows.append(measure("Python EWPModel parity (32 fits)", child))
        if not args.skip_backtest:
            vigil = str(Path(sys.executable).parent / "vigil")
            command = [vigil, "backtest", "--predictions", str(work / "bt.csv")]
            rows.append(measure("vigil backtest, all models, 1993–2022", command))
            library = [sys.executable, "-c", BACKTEST_LIBRARY]
            rows.append(measure("same backtest as a library call (no CLI imports)", library))
        note = agreement(work / "py.csv", work / "r.csv") if has_r else "R unavailable"
        fits = (work / "py.csv.seconds").read_text()
        note += (
            f"\nPython parity: {fits} s of the wall time are the 32 fits (the rest: start-up, load)"
        )
    reference = rows[0].wall if has_r else float("nan")
    print(f"\nvigil {__version__} · {os.cpu_count()} CPUs · {time.strftime('%Y-%m-%d %H:%M')}\n")
    print("| run | wall time (s) | ratio to R | peak memory (MB) |")
    print("|---|---:|---:|---:|")
    for row in rows:
        ratio = row.wall / reference if np.isfinite(reference) else float("nan")
        print(f"| {row.name} | {row.wall:.1f} | {ratio:.2f} | {row.peak_mb:.0f} |")
    print(f"\n{note}")
    print("goals: parity ≤ 0.20 × R; all-models backtest ≤ 60 s; peak memory ≤ 400 MB")


if __name__ == "__main__":
    main()
