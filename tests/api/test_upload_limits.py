"""Uploads cannot freeze the server: sizes are checked first, text is read in a bounded worker.

The decompression bomb is a real PDF built here: a 15 kB file whose one content stream inflates
to megabytes of text operators, which takes a PDF reader the better part of a minute.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from clients import api_client, bearer, make_users
from workspace_databases import backends, database_url

from vigil.workspace.intake import MAX_PAGES
from vigil.workspace.reports import MAX_TEXT

SERVER = (
    "import sys, uvicorn; from vigil.api import create_app; from vigil.settings import Settings; "
    "uvicorn.run(create_app(Settings.from_env()), host='127.0.0.1', port=int(sys.argv[1]), "
    "log_level='warning')"
)
LINE = b"BT /F1 9 Tf 20 700 Td (boom boom boom boom) Tj ET\n"


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF file of ``objects`` (numbered from 1; object 1 is the catalogue) with its xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def _stream(inflated: int) -> bytes:
    packer = zlib.compressobj(9)
    chunk = LINE * (65536 // len(LINE))
    packed = [packer.compress(chunk) for _ in range(inflated // len(chunk) + 1)]
    data = b"".join([*packed, packer.flush()])
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)


def bomb_pdf(inflated: int = 5_000_000, pages: int = 1) -> bytes:
    """A small PDF of ``pages`` pages that all show one stream inflating to ``inflated`` bytes."""
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
    page += b"/Resources << /Font << /F1 4 0 R >> >> >>"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
            _stream(inflated),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            *([page] * pages),
        ]
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=backends())
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A real ``uvicorn`` server (extraction limited to 3 s) and an analyst's credentials."""
    with database_url(request.param, tmp_path) as url:
        token = make_users(url)[("analyst", "confidential")]
        port = _free_port()
        env = {**os.environ, "VIGIL_HOME": str(tmp_path), "VIGIL_DATABASE_URL": url}
        env |= {"VIGIL_EXTRACT_SECONDS": "3", "VIGIL_UPLOAD_MAX_BYTES": str(2 * 1024 * 1024)}
        process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(port)], env=env, stderr=subprocess.DEVNULL
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):
                try:
                    if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.25)
            yield base, bearer(token)
        finally:
            process.kill()
            process.wait(10)


def test_a_pdf_bomb_is_refused_while_every_other_request_is_answered(
    server: tuple[str, dict[str, str]],
) -> None:
    base, auth = server
    bomb = bomb_pdf()
    assert len(bomb) < 50_000
    done: dict[str, object] = {}

    def upload() -> None:
        started = time.monotonic()
        files = {"file": ("bomb.pdf", bomb, "application/pdf")}
        response = httpx.post(f"{base}/api/v1/reports/upload", headers=auth, files=files,
                              timeout=120)  # fmt: skip
        done["response"], done["seconds"] = response, time.monotonic() - started

    thread = threading.Thread(target=upload)
    thread.start()
    slowest = 0.0
    with httpx.Client(base_url=base, headers=auth, timeout=30) as client:
        while thread.is_alive():
            started = time.monotonic()
            assert client.get("/api/v1/framework").status_code == 200
            slowest = max(slowest, time.monotonic() - started)
            time.sleep(0.05)
    thread.join()
    response = done["response"]
    assert isinstance(response, httpx.Response)
    assert response.status_code == 422, response.text
    assert "longer than 3 s" in response.json()["error"]["message"]
    assert float(str(done["seconds"])) < 20
    assert slowest < 2.0, f"another request waited {slowest:.1f} s during the upload"


def test_a_pdf_with_more_pages_than_allowed_is_refused_unread(
    server: tuple[str, dict[str, str]],
) -> None:
    base, auth = server
    pages = bomb_pdf(inflated=1000, pages=MAX_PAGES + 1)
    files = {"file": ("pages.pdf", pages, "application/pdf")}
    response = httpx.post(f"{base}/api/v1/reports/upload", headers=auth, files=files, timeout=60)
    assert response.status_code == 422
    assert f"at most {MAX_PAGES} are read" in response.json()["error"]["message"]


def test_an_oversized_body_is_refused_before_it_is_read(
    server: tuple[str, dict[str, str]],
) -> None:
    base, auth = server
    big = b"a" * (4 * 1024 * 1024)
    declared = httpx.post(
        f"{base}/api/v1/reports/upload",
        headers=auth,
        files={"file": ("big.txt", big, "text/plain")},
        timeout=60,
    )
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams in
        yield b'{"text": "'
        for _ in range(40):
            yield b"b" * (1024 * 1024)
        yield b'"}'

    streamed = httpx.post(
        f"{base}/api/v1/reports?triage=false",
        headers={**auth, "Content-Type": "application/json"},
        content=chunks(),
        timeout=60,
    )
    assert streamed.status_code == 413
    assert "x-content-type-options" in streamed.headers


@pytest.mark.parametrize("backend", backends())
def test_an_overlong_text_upload_is_refused_by_the_reader_not_after_triage(
    backend: str, tmp_path: Path
) -> None:
    with database_url(backend, tmp_path) as url, api_client(tmp_path, url) as client:
        auth = bearer(make_users(url)[("analyst", "confidential")])
        text = ("genocide warning " * (MAX_TEXT // 17 + 2)).encode()
        started = time.monotonic()
        response = client.post(
            "/api/v1/reports/upload",
            headers=auth,
            files={"file": ("long.txt", text, "text/plain")},
        )
        assert response.status_code == 422
        assert f"more than {MAX_TEXT} characters" in response.json()["error"]["message"]
        assert time.monotonic() - started < 20
