"""Server-side latency of the watchlist and country pages under 50 concurrent clients.

Starts ``vigil serve`` on a free loopback port with a temporary data directory (or the one in
``--home``), waits for the first-run seeding, then runs closed-loop clients: each sends its next
request as soon as the previous one is answered. Prints p50/p99/max latency and throughput per
page for each worker count. The goal is p99 < 300 ms. Not a test: nothing here can fail.

    python benchmarks/bench_web.py [--clients 50] [--requests 2000] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from servers import free_port, wait_until_up

VIGIL = (sys.executable, "-c", "from vigil.cli.main import run; run()")


def start(home: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "VIGIL_HOME": str(home)}
    command = [*VIGIL, "serve", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    took = wait_until_up(process, url + "/", seconds=300)
    print(f"  server ({workers} worker(s)) ready in {took:.1f} s")
    return process, url


async def fetch(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str
) -> tuple[int, bytes]:
    """One HTTP/1.1 keep-alive GET with a minimal parser (a cheap client leaves the CPU to
    the server being measured)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return status, await reader.readexactly(length)


async def client(base: str, queue: asyncio.Queue[str], timings: dict[str, list[float]]) -> None:
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        while True:
            try:
                path = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            began = time.perf_counter()
            status, _ = await fetch(reader, writer, path)
            elapsed = time.perf_counter() - began
            assert status == 200, (path, status)
            kind = "watchlist" if path.startswith("/watchlist") else "country"
            timings[kind].append(elapsed)
    finally:
        writer.close()


async def load(
    base: str, clients: int, requests: int, countries: list[str]
) -> dict[str, list[float]]:
    rng = random.Random(0)
    queue: asyncio.Queue[str] = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait("/watchlist" if i % 2 else f"/countries/{rng.choice(countries)}")
    timings: dict[str, list[float]] = {"watchlist": [], "country": []}
    await asyncio.gather(*(client(base, queue, timings) for _ in range(clients)))
    return timings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--home", type=Path, default=None)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="vigil-bench-"))
    rows = []
    for workers in args.workers:
        process, url = start(home, workers)
        try:
            listing = httpx.get(url + "/watchlist.csv", timeout=60).text
            countries = [row["iso3"] for row in csv.DictReader(io.StringIO(listing))]
            asyncio.run(load(url, args.clients, 200, countries))  # warm-up
            began = time.perf_counter()
            timings = asyncio.run(load(url, args.clients, args.requests, countries))
            wall = time.perf_counter() - began
            load_average = os.getloadavg()[0]
        finally:
            process.terminate()
            process.wait(timeout=30)
        for page, values in timings.items():
            rows.append((workers, page, len(values), percentile(values, 0.5) * 1000,
                         percentile(values, 0.99) * 1000, max(values) * 1000,
                         len(values) / wall, load_average))  # fmt: skip
    print(f"\n{args.clients} clients, {args.requests} requests per run, {os.cpu_count()} CPUs; "
          "goal p99 < 300 ms; load avg: other work on the machine\n")  # fmt: skip
    print("| workers | page | requests | p50 ms | p99 ms | max ms | req/s | load avg |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for workers, page, n, p50, p99, top, rate, busy in rows:
        print(f"| {workers} | {page} | {n} | {p50:.1f} | {p99:.1f} | {top:.1f} | {rate:.0f} "
              f"| {busy:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
