"""Speed of the table rebuild, side by side with the public project's R Markdown run in R.

Run:  .venv/bin/python benchmarks/bench_rebuild.py [--rmd PATH] [--inputs DIR]

The R side runs the steps of the public ``Adding-in-new-data-2025.Rmd`` that its own knit runs
(chunks without ``eval = FALSE``), extracted from the Rmd at run time, in a scratch directory
whose ``input/`` points at the public inputs. Two shims let it run on Debian's R packages:
the chunk that adds ISO codes with ``countrycode`` (not packaged; the table does not use the
codes) is skipped, and ``NA_integer_`` becomes ``NA_real_`` in the diagnostic "most recent
year" columns (dplyr 1.0 refuses the mixed types dplyr 1.1 accepts). Needs R with
data.table, dplyr, tidyr, zoo and ggplot2 (``apt-get install r-cran-data.table r-cran-dplyr
r-cran-tidyr r-cran-zoo r-cran-ggplot2``).

Prints the wall time of each side (process start-up included) and how many cells of each
output differ from the published table.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

SHARED = Path("/work/shared/data/ewp-2025")
PUBLISHED = "prepared2024predictors-2025-09-03.csv"


def r_script(rmd: Path) -> str:
    """The R code the Rmd's own knit evaluates, with the two compatibility shims."""
    chunks = re.findall(r"```\{r([^}]*)\}\n(.*?)```", rmd.read_text(), re.S)
    kept = []
    for options, body in chunks:
        if re.search(r"eval\s*=\s*(F|FALSE)\b", options):
            continue
        if "countrycode" in body:
            body = "# skipped: ISO codes from countrycode (unused by the table)\n"
        kept.append(body.replace("NA_integer_)", "NA_real_)"))
    return "\n".join(kept)


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of ``command``: on a shared machine the CPU
    time is the steadier measure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)  # fmt: skip
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def differing_cells(path: Path, published: Path) -> int:
    mine = pd.read_csv(path, dtype=str, keep_default_na=False)
    theirs = pd.read_csv(published, dtype=str, keep_default_na=False)
    return int((mine != theirs).to_numpy().sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rmd", type=Path, default=SHARED / "rebuild/reference-R/Adding-in-new-data-2025.Rmd"
    )
    parser.add_argument("--inputs", type=Path, default=SHARED / "rebuild/input")
    args = parser.parse_args()  # fmt: skip
    published = args.inputs.parent.parent / PUBLISHED
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        vigil = [sys.executable, "-c", "from vigil.cli.main import run; run()", "data", "rebuild",
                 "--sources", str(args.inputs), "--out", str(work / "vigil.csv")]  # fmt: skip
        rows = [("vigil data rebuild", timed(vigil, work), differing_cells(work / "vigil.csv",
                                                                          published))]  # fmt: skip
        if shutil.which("Rscript") and args.rmd.is_file():
            (work / "input").symlink_to(args.inputs)
            (work / "run.R").write_text(r_script(args.rmd))
            seconds = timed(["Rscript", "run.R"], work)
            rows.append(("R: the Rmd's steps", seconds, differing_cells(work / PUBLISHED,
                                                                        published)))  # fmt: skip
        print(f"{'run':<22} {'wall s':>7} {'CPU s':>7} {'cells differing from published':>32}")
        for name, (wall, cpu), cells in rows:
            print(f"{name:<22} {wall:>7.2f} {cpu:>7.2f} {cells:>32,}")
        if len(rows) == 2:
            (wall_v, cpu_v), (wall_r, cpu_r) = rows[0][1], rows[1][1]
            print(f"ratio vigil / R: wall {wall_v / wall_r:.2f}, CPU {cpu_v / cpu_r:.2f}")


if __name__ == "__main__":
    main()
