"""Benchmark: ``vigil sync`` against local servers playing UCDP, ACLED and GDELT.

Two tables:

* **scenarios** — each provider's full sync, a repeat sync, and its failure cases (a 500 on a
  middle page and the sync after it, an expired token, a wrong MD5, a slow server), run in this
  process against the servers of ``tests/sources/providers.py`` (real GED and GDELT rows);
* **backfill** — a GDELT backfill of ``--files`` 15-minute files (default 672, one week) found in a
  master file list padded with ``--history`` older lines (default 300,000: about three years of
  listings), run as a real ``vigil sync`` subprocess so its wall time and peak memory (max RSS) are
  its own. The files cycle through the real 15-minute file split in four, so most rows repeat
  (merged as unchanged) — the point is the listing's streaming and the per-file path.

Run: ``python benchmarks/bench_sync.py [--files 672] [--history 300000]``.
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
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "sources"))

from providers import (  # noqa: E402
    Acled,
    Fault,
    Gdelt,
    Ucdp,
    gdelt_files,
    ged_rows,
    page_is,
    serving,
)

ENV = {"UCDP_TOKEN": "bench-token", "ACLED_USER": "bench@example.org", "ACLED_PASSWORD": "pw"}
COLUMNS = ("fetched", "ingested", "updated", "unchanged", "quarantined")


def scenarios() -> list[tuple[str, str, dict[str, object], float]]:
    """Run every scenario in a fresh data directory; (scenario, source, result, seconds)."""
    import csv

    from vigil.events.synthetic import acled_file
    from vigil.settings import Settings
    from vigil.sources import registry
    from vigil.sources.sync import sync

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        settings = Settings(
            home=home / "home",
            sync_retries=1,
            sync_backoff=0.0,
            sync_timeout=2.0,
            sync_request_gap=0.0,
        )
        store_path = settings.home / "events.duckdb"
        from vigil.events.store import EventStore

        store = EventStore(store_path)
        rows = list(csv.DictReader(acled_file(home / "a.csv", 400, seed=3).open()))
        ucdp = Ucdp(ENV["UCDP_TOKEN"], {"25.1": ged_rows()}, page_size=250)
        acled = Acled(ENV["ACLED_USER"], ENV["ACLED_PASSWORD"], rows, page_size=150)
        gdelt = Gdelt(gdelt_files(4))
        with serving(ucdp) as u, serving(acled) as a, serving(gdelt) as g:
            specs = [
                registry.make_spec("ged", "ucdp-ged", url=f"{u}/api", token_env="UCDP_TOKEN"),
                registry.make_spec(
                    "acled", "acled", url=a, user_env="ACLED_USER", password_env="ACLED_PASSWORD"
                ),
                registry.make_spec("gdelt", "gdelt2", url=f"{g}/gdeltv2", since="2025-08-07"),
            ]
            for spec in specs:
                registry.add(store, spec)

            def run(label: str, name: str) -> None:
                began = time.perf_counter()
                (result,) = sync(settings, [name], env=ENV)
                out.append((label, name, result.as_dict(), time.perf_counter() - began))

            ucdp.faults.append(Fault(page_is(2), status=500))
            run("500 on page 2 of 4", "ged")
            ucdp.faults.clear()
            run("next sync", "ged")
            run("repeat", "ged")
            run("full", "acled")
            acled.expire_tokens()
            run("token expired", "acled")
            gdelt.wrong_md5.add("20250807224500")
            run("wrong MD5", "gdelt")
            gdelt.wrong_md5.clear()
            run("backfill from --since", "gdelt")
            run("repeat", "gdelt")
            registry.add(store, registry.make_spec("slow", "ucdp-ged", url=f"{u}/api",
                                                   token_env="UCDP_TOKEN"))  # fmt: skip
            ucdp.faults.append(Fault(page_is(0), delay=5.0))
            run("server slower than the 2 s timeout", "slow")
    return out


def backfill(files: int, history: int) -> dict[str, float]:
    """A GDELT backfill in a ``vigil sync`` subprocess: wall seconds, peak MB, counts."""
    parts = list(gdelt_files(4).values())
    start = datetime(2025, 8, 1)
    stamps = [(start + timedelta(minutes=15 * i)).strftime("%Y%m%d%H%M%S") for i in range(files)]
    provider = Gdelt({s: parts[i % 4] for i, s in enumerate(stamps)})
    old = [
        f"1000 {'0' * 32} http://x/gdeltv2/{(start - timedelta(minutes=5 * (i + 1))):%Y%m%d%H%M%S}"
        ".gkg.csv.zip"
        for i in range(history)
    ][::-1]
    listing = provider.answer

    def padded(method: str, path: str, query: dict[str, str], request: object):
        status, headers, body = listing(method, path, query, request)
        if path.endswith("masterfilelist.txt"):
            body = ("\n".join(old) + "\n").encode() + body
        return status, headers, body

    provider.answer = padded  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as home, serving(provider) as base:
        env = {**os.environ, "VIGIL_HOME": home, "VIGIL_SYNC_REQUEST_GAP": "0"}
        vigil = [sys.executable, "-c", "from vigil.cli.main import run; run()"]
        add = ["sources", "add", "g", "--kind", "gdelt2", "--url", f"{base}/gdeltv2"]
        subprocess.run([*vigil, *add, "--since", "2025-08-01"], env=env, check=True,
                       capture_output=True)  # fmt: skip
        began = time.perf_counter()
        done = subprocess.run([*vigil, "sync", "--json"], env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - began
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    (result,) = json.loads(done.stdout)
    counts = {k: result[k] for k in COLUMNS}
    return {"files": files, "listing_lines": history + 3 * files, "seconds": seconds,
            "peak_mb": peak, **counts, "status": result["status"]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=672)
    parser.add_argument("--history", type=int, default=300_000)
    args = parser.parse_args()
    print("| scenario | source | status | " + " | ".join(COLUMNS) + " | through | s | error |")
    print("|---" * (len(COLUMNS) + 6) + "|")
    for label, name, r, seconds in scenarios():
        counts = " | ".join(str(r[c]) for c in COLUMNS)
        error = (str(r["error"] or ""))[:70]
        print(f"| {label} | {name} | {r['status']} | {counts} | {r['through']} | "
              f"{seconds:.2f} | {error} |")  # fmt: skip
    row = backfill(args.files, args.history)
    print("\n| files | listing lines | s | files/s | peak MB | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 5) + "|")
    counts = " | ".join(str(row[c]) for c in COLUMNS)
    print(f"| {row['files']} | {row['listing_lines']} | {row['seconds']:.1f} | "
          f"{row['files'] / row['seconds']:.1f} | {row['peak_mb']:.0f} | {counts} |")  # fmt: skip
    print(f"load average (1 min): {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
