"""Load test of the REST API: 50 concurrent clients on loopback, SQLite and PostgreSQL.

Starts the API under uvicorn in a subprocess for each backend, seeds a few hundred reports,
then lets every client issue a mix of reads (list, search, single report, counts) and writes
(new reports and notes). Prints p50/p99 latency and error counts for reads and writes, and
checks that every acknowledged write is in the database afterwards (zero lost writes). The
server's CPU time per request served and the load average are printed beside the figures: on a
shared machine the server's CPU cost per request is what decides p99.

    python benchmarks/bench_api.py                      # SQLite only
    VIGIL_BENCH_DATABASE_URL=postgresql+psycopg://vigil:vigil@127.0.0.1:5432/vigil_bench \\
        python benchmarks/bench_api.py                  # SQLite and PostgreSQL
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from servers import free_port, wait_until_up
from sqlalchemy import create_engine, select, text

from vigil.workspace.database import open_database
from vigil.workspace.migrations import upgrade
from vigil.workspace.notes import Note
from vigil.workspace.reports import Report
from vigil.workspace.users import add_user, issue_token, system_actor

SERVER = (
    "import sys, uvicorn; uvicorn.run('vigil.api.app:from_env', factory=True, host='127.0.0.1', "
    "port=int(sys.argv[1]), workers=int(sys.argv[2]), log_level='warning')"
)
WORDS = [
    "militia", "displacement", "curfew", "detention", "broadcast", "village", "border",
    "ceasefire", "election", "protest", "arrests", "refugees", "shelling", "convoy", "market",
    "court", "hate", "speech", "minority",
]  # fmt: skip


@dataclass
class Tally:
    """Latencies (seconds) and failures per kind of request."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"read": [], "write": []})
    errors: dict[str, int] = field(default_factory=lambda: {"read": 0, "write": 0})
    acked: dict[str, list[int]] = field(default_factory=lambda: {"reports": [], "notes": []})


def prepare(url: str, seed_reports: int) -> str:
    """Migrate, create an analyst with a token, and seed reports; returns the token."""
    db = open_database(url)
    upgrade(db)
    rng = random.Random(7)
    from vigil.workspace.reports import ReportInput, store_report

    with db.session() as session:
        user = add_user(session, system_actor, "bench", role="analyst", clearance="restricted")
        token = issue_token(session, system_actor, user)
        for n in range(seed_reports):
            words = " ".join(rng.choice(WORDS) for _ in range(60))
            store_report(
                session,
                user,
                ReportInput(
                    title=f"seed {n}",
                    text=f"{words} {n}",
                    countries=("SDN",),
                    confidentiality=rng.choice(["public", "restricted"]),
                ),
            )
    db.dispose()
    return token


def start_server(home: Path, url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_DATABASE_URL": url}
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(workers)], env=env)
    base = f"http://127.0.0.1:{port}"
    wait_until_up(process, f"{base}/openapi.json")
    return process, base


async def client(base: str, token: str, args: argparse.Namespace, tally: Tally, seed: int) -> None:
    requests, write_share = args.requests, args.write_share
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
        for n in range(args.warmup + requests):
            timed = n >= args.warmup  # the first requests open the connection and warm caches
            if args.think_ms and timed:
                await asyncio.sleep(rng.uniform(0, 2 * args.think_ms) / 1000)
            if timed and rng.random() < write_share:
                kind = "write"
                if rng.random() < 0.5:
                    what, path = "reports", "/api/v1/reports?triage=false"
                    body: dict[str, object] = {
                        "text": f"{' '.join(rng.choice(WORDS) for _ in range(40))} {uuid.uuid4()}",
                        "countries": ["MMR"],
                    }
                else:
                    what, path = "notes", "/api/v1/notes"
                    body = {"iso3": "MMR", "body": f"bench note {seed} {n}"}
                call = http.post(path, json=body)
            else:
                kind, what = "read", ""
                path = rng.choice(
                    [
                        "/api/v1/reports?limit=20",
                        "/api/v1/reports?q=militia&limit=20",
                        f"/api/v1/reports/{rng.randint(1, 200)}",
                        "/api/v1/stats",
                        "/api/v1/notes?iso3=MMR&limit=20",
                    ]
                )
                call = http.get(path)
            started = time.perf_counter()
            try:
                response = await call
                ok = response.status_code < 400 or (kind == "read" and response.status_code == 404)
            except httpx.HTTPError:
                ok, response = False, None
            if not timed:
                continue
            tally.latencies[kind].append(time.perf_counter() - started)
            if not ok:
                tally.errors[kind] += 1
            elif kind == "write" and response is not None:
                tally.acked[what].append(response.json()["id"])


async def everyone(
    base: str, token: str, args: argparse.Namespace, tally: Tally, seed: int = 0
) -> None:
    """Run every client at once."""
    await asyncio.gather(*(client(base, token, args, tally, seed + i) for i in range(args.clients)))


def lost_writes(url: str, tally: Tally) -> int:
    db = open_database(url)
    with db.session(write=False) as session:
        reports = set(session.scalars(select(Report.id)))
        notes = set(session.scalars(select(Note.id)))
    db.dispose()
    return len(set(tally.acked["reports"]) - reports) + len(set(tally.acked["notes"]) - notes)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of the server process and its workers so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:  # gone already, or not Linux
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        pending.extend(int(child) for child in children)
    return total


def run_backend(name: str, url: str, home: Path, args: argparse.Namespace) -> dict[str, object]:
    token = prepare(url, args.seed_reports)
    process, base = start_server(home, url, args.workers)
    tally = Tally()
    try:
        cpu_before = server_cpu_seconds(process.pid)
        started = time.perf_counter()
        asyncio.run(everyone(base, token, args, tally))
        elapsed = time.perf_counter() - started
        cpu = server_cpu_seconds(process.pid) - cpu_before
    finally:
        process.terminate()
        process.wait(timeout=30)
    total = sum(len(v) for v in tally.latencies.values())
    return {
        "backend": name,
        "requests": total,
        "seconds": elapsed,
        "rps": total / elapsed,
        # warm-up requests are served too, so they count in the server's CPU per request
        "cpu_ms": 1000 * cpu / (args.clients * (args.warmup + args.requests)),
        **{
            f"{k}_{m}": f(tally.latencies[k])
            for k in ("read", "write")
            for m, f in (
                ("p50", lambda v: pct(v, 0.5)),
                ("p99", lambda v: pct(v, 0.99)),
                ("n", len),
            )
        },
        "read_errors": tally.errors["read"],
        "write_errors": tally.errors["write"],
        "lost_writes": lost_writes(url, tally),
        "mean_read_ms": statistics.fmean(tally.latencies["read"]) * 1000,
    }


def postgres_schema_url(base: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options=-csearch_path%3D{schema}", schema


def drop_schema(base: str, schema: str) -> None:
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="Requests per client.")
    parser.add_argument("--write-share", type=float, default=0.2)
    parser.add_argument("--seed-reports", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes.")
    parser.add_argument(
        "--warmup",
        type=int,
        default=40,
        help="Untimed requests from one client first (fills caches).",
    )
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="Mean pause between a client's requests (0: back to back).",
    )
    parser.add_argument("--postgres", default=os.environ.get("VIGIL_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    rows = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        rows.append(run_backend("sqlite", f"sqlite:///{home / 'bench.db'}", home, args))
        if args.postgres:
            url, schema = postgres_schema_url(args.postgres)
            try:
                rows.append(run_backend("postgresql", url, home, args))
            finally:
                drop_schema(args.postgres, schema)
    print(
        f"\n{args.clients} concurrent clients x {args.requests} requests, "
        f"{args.write_share:.0%} writes, think time {args.think_ms:.0f} ms, "
        f"{args.workers} server worker(s), loopback; load average (1/5/15 min) "
        f"{' '.join(f'{x:.2f}' for x in load_before)} before, "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} after\n"
    )
    header = (
        "backend",
        "requests",
        "req/s",
        "server CPU ms/req",
        "read p50 ms",
        "read p99 ms",
        "write p50 ms",
        "write p99 ms",
        "read err",
        "write err",
        "lost writes",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print(
            f"| {r['backend']} | {r['requests']} | {r['rps']:.0f} | {r['cpu_ms']:.2f} | "
            f"{r['read_p50']:.1f} | "
            f"{r['read_p99']:.1f} | {r['write_p50']:.1f} | {r['write_p99']:.1f} | "
            f"{r['read_errors']} | {r['write_errors']} | {r['lost_writes']} |"
        )


if __name__ == "__main__":
    main()
