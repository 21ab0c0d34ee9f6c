"""Benchmark: event ingest + validation + panel building against DuckDB's own read_csv.

For synthetic GDELT-shaped and GED-shaped files of 1 M and 10 M rows (``--rows`` to change), each
step runs in a fresh subprocess so its peak memory (max RSS) is its own:

* ``scan``  — DuckDB's ``SELECT count(*) FROM read_csv(file)``: parsing alone, the practical limit;
* ``load``  — DuckDB's ``CREATE TABLE AS SELECT * FROM read_csv(file)`` into a database file;
* ``vigil`` — ``vigil.events.ingest`` (parse every field as text, validate, quarantine, map
  countries, merge into the store in one transaction) plus country and admin1 panels.

Prints one table with seconds, rows per second, the ratio to each DuckDB baseline, peak memory
and the machine's 1-minute load average when the row's measurements ended (other work on the
machine slows every column, so read ratios beside it).
Run: ``python benchmarks/bench_events.py [--rows 1000000 10000000] [--shapes gdelt ged]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child(mode: str, path: str, fmt: str, work: str) -> None:
    """Run one measured step in this process and print its seconds and peak memory as JSON."""
    import duckdb

    from vigil.events import EventStore, ingest
    from vigil.events.panels import build_panel
    from vigil.events.store import country_macros

    country_macros()  # a one-off start-up cost (country-converter's table), not per-row work
    start = time.perf_counter()
    if mode == "scan":
        duckdb.connect().execute(f"SELECT count(*) FROM read_csv('{path}')").fetchall()
    elif mode == "load":
        with duckdb.connect(str(Path(work) / "load.duckdb")) as con:
            con.execute(f"CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv('{path}')")
    else:
        store = EventStore(Path(work) / "events.duckdb")
        ingest(store, [Path(path)], fmt)
        middle = time.perf_counter()
        build_panel(store, "country", sources=None)
        build_panel(store, "admin1", sources=None)
        print(json.dumps({"ingest": middle - start}), file=sys.stderr)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak}))


def measure(mode: str, path: Path, fmt: str, work: Path) -> dict[str, float]:
    """Run ``child`` in a fresh interpreter and return its measurements."""
    command = [sys.executable, __file__, "--child", mode, str(path), fmt, str(work)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if done.stderr.strip().startswith("{"):
        result.update(json.loads(done.stderr.strip().splitlines()[-1]))
    return result


def generate(shape: str, rows: int, folder: Path) -> tuple[Path, str]:
    """A synthetic file of the shape and its ``--format`` name."""
    from vigil.events.synthetic import gdelt_file, ged_file

    if shape == "gdelt":
        return gdelt_file(folder / f"gdelt-{rows}.export.CSV", rows), "gdelt2"
    return ged_file(folder / f"ged-{rows}.csv", rows), "ucdp-ged"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--shapes", nargs="+", default=["gdelt", "ged"])
    args = parser.parse_args()
    header = (
        f"{'shape':<6} {'rows':>10} {'MB':>6} {'scan s':>7} {'load s':>7} {'vigil s':>8} "
        f"{'ingest s':>8} {'rows/s':>9} {'÷scan':>6} {'÷load':>6} {'peak MB':>8} {'scan MB':>8} "
        f"{'load MB':>8} {'load avg':>8}"
    )
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    print(header)
    for rows in args.rows:
        for shape in args.shapes:
            with tempfile.TemporaryDirectory(prefix="bench-events-") as tmp:
                folder = Path(tmp)
                path, fmt = generate(shape, rows, folder)
                scan = measure("scan", path, fmt, folder)
                load = measure("load", path, fmt, folder)
                ours = measure("vigil", path, fmt, folder)
                size = path.stat().st_size / 1e6
                print(
                    f"{shape:<6} {rows:>10,} {size:>6.0f} {scan['seconds']:>7.2f} "
                    f"{load['seconds']:>7.2f} {ours['seconds']:>8.2f} {ours['ingest']:>8.2f} "
                    f"{rows / ours['seconds']:>9,.0f} {ours['seconds'] / scan['seconds']:>6.2f} "
                    f"{ours['seconds'] / load['seconds']:>6.2f} {ours['peak_mb']:>8.0f} "
                    f"{scan['peak_mb']:>8.0f} {load['peak_mb']:>8.0f} {os.getloadavg()[0]:>8.1f}",
                    flush=True,
                )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:6])
    else:
        main()
