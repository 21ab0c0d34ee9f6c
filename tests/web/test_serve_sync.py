"""``vigil serve`` syncs due live sources in the background and its pages say so."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from vigil.settings import Settings

GDELT = Path(__file__).parents[1] / "fixtures" / "events" / "20250807220000.export.CSV.gz"
VIGIL = (sys.executable, "-c", "from vigil.cli.main import run; run()")


@pytest.fixture
def gdelt_root() -> Iterator[str]:
    """GDELT's feed with one real 15-minute export file (lastupdate.txt and the zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("20250807220000.export.CSV", gzip.decompress(GDELT.read_bytes()))
    archive = buffer.getvalue()
    md5 = hashlib.md5(archive, usedforsecurity=False).hexdigest()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            root = f"http://{self.headers['Host']}/gdeltv2"
            files = {
                "/gdeltv2/lastupdate.txt": (
                    f"{len(archive)} {md5} {root}/20250807220000.export.CSV.zip\n".encode()
                ),
                "/gdeltv2/20250807220000.export.CSV.zip": archive,
            }
            body = files.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/gdeltv2"
    finally:
        server.shutdown()
        server.server_close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_vigil_serve_syncs_a_due_source_and_says_how_fresh_it_is(
    site_settings: Settings, snapshot: object, tmp_path: Path, gdelt_root: str
) -> None:
    home = tmp_path / "home"
    (home / "web").mkdir(parents=True)
    for cached in (site_settings.home / "web").glob("snapshot-*.json"):
        shutil.copy(cached, home / "web" / cached.name)
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_SYNC_CHECK_EVERY": "1"}
    add = ["sources", "add", "gdelt", "--kind", "gdelt2", "--url", gdelt_root, "--every", "15m"]
    subprocess.run([*VIGIL, *add], env=env, check=True, capture_output=True)
    port = _free_port()
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen([*VIGIL, "serve", "--port", str(port)], env=env, stdout=log,
                               stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline, header = time.monotonic() + 240, ""
        while "from gdelt" not in header:
            assert time.monotonic() < deadline and process.poll() is None, header
            time.sleep(0.5)
            try:
                header = httpx.get(url + "/sources", timeout=5).headers["x-vigil-freshness"]
            except httpx.HTTPError:
                continue
        assert header.startswith("events through 2025-08-07, last synced")
        page = httpx.get(url + "/sources", timeout=30).text
        assert "<strong>gdelt</strong>" in page and 'badge high">stale' not in page
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
