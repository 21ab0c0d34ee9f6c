"""Local HTTP servers that play UCDP's GED API, ACLED's API and GDELT's file feed.

Each is a real threaded ``http.server`` on 127.0.0.1 answering in exactly the providers' documented
shapes, with real rows: the bundled GED 23.1 sample, the real GDELT 15-minute file split into
consecutive files, and ACLED-layout rows from the synthetic generator (ACLED rows may not be
redistributed). Knobs make them misbehave the way real servers do: a status on a given page, a
slow answer, a dropped connection, an expired token, a wrong MD5.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import math
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent.parent / "fixtures" / "events"
GED_SAMPLE = FIXTURES / "ged231-sample-1000.csv.gz"
GDELT_SAMPLE = FIXTURES / "20250807220000.export.CSV.gz"
SYRIA = FIXTURES / "ged191-syria-2016-2019.csv.gz"

TOKEN = "ucdp-secret-token-1234"
ENV = {"UCDP_TOKEN": TOKEN, "ACLED_USER": "analyst@example.org", "ACLED_PASSWORD": "pa55word!"}
#: Settings for the command-line tests: no retries, so a failure is reported at once.
CLI_ENV = {**ENV, "VIGIL_SYNC_RETRIES": "0", "VIGIL_SYNC_REQUEST_GAP": "0"}

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Fault:
    """How to misbehave on a request whose path and query match: status, delay, or drop."""

    match: Callable[[str, dict[str, str]], bool]
    status: int | None = None
    delay: float = 0.0
    drop: bool = False
    times: int | None = None  # None: every matching request
    headers: dict[str, str] = field(default_factory=dict)


class Provider:
    """Base: request log, faults, and dispatch to ``answer``."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()

    def fault(self, method: str, path: str, query: dict[str, str]) -> Fault | None:
        with self.lock:
            self.requests.append((method, path, query))
            for fault in self.faults:
                if fault.match(path, query) and fault.times != 0:
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def answer(self, method: str, path: str, query: dict[str, str], request: Any) -> Answer:
        raise NotImplementedError


def _json(status: int, body: Any) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def blackout(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Syria 2016–2019 as if reporting had nearly stopped in November 2019: only that month's
    last day is left."""
    return [r for r in rows if not ("2019-11-01" <= str(r["date_start"])[:10] < "2019-11-30")]


def _number(text: str) -> Any:
    """A GED CSV field as the API gives it: numbers as JSON numbers, empty as null."""
    if text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def ged_rows(path: Path = GED_SAMPLE) -> list[dict[str, Any]]:
    """Real GED events (the 1,000-event GED 23.1 sample by default) as the API's ``Result``."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = {"relid", "code_status", "where_coordinates", "source_date", "date_start", "date_end"}
    return [{k: (v if k in texts else _number(v)) for k, v in row.items()} for row in rows]


class Ucdp(Provider):
    """``GET /api/gedevents/{release}`` with ``x-ucdp-access-token``; 0-based pages."""

    def __init__(self, token: str, releases: dict[str, list[dict[str, Any]]], page_size: int):
        super().__init__()
        self.token, self.releases, self.page_size = token, releases, page_size
        self.base = ""

    def answer(self, method: str, path: str, query: dict[str, str], request: Any) -> Answer:
        if request.headers.get("x-ucdp-access-token") != self.token:
            return _json(401, {"message": "Unauthorized"})
        release = path.rsplit("/", 1)[-1]
        if not path.startswith("/api/gedevents/") or release not in self.releases:
            return _json(404, {"message": f"unknown version {release}"})
        rows = self._filtered(self.releases[release], query)
        page, size = int(query.get("page", "0")), self.page_size
        pages = max(1, math.ceil(len(rows) / size))
        chunk = rows[page * size : (page + 1) * size]
        link = f"{self.base}/api/gedevents/{release}?pagesize={size}&page="
        return _json(
            200,
            {
                "TotalCount": len(rows),
                "TotalPages": pages,
                "PreviousPageUrl": f"{link}{page - 1}" if page > 0 else "",
                "NextPageUrl": f"{link}{page + 1}" if page + 1 < pages else "",
                "Result": chunk,
            },
        )

    @staticmethod
    def _filtered(rows: list[dict[str, Any]], query: dict[str, str]) -> list[dict[str, Any]]:
        if "StartDate" in query:
            rows = [r for r in rows if str(r["date_start"])[:10] >= query["StartDate"]]
        if "Country" in query:
            wanted = {int(c) for c in query["Country"].split(",")}
            rows = [r for r in rows if r["country_id"] in wanted]
        return rows


class Acled(Provider):
    """``POST /oauth/token`` (password and refresh grants) and ``GET /api/acled/read``."""

    def __init__(self, user: str, password: str, rows: list[dict[str, str]], page_size: int):
        super().__init__()
        self.user, self.password, self.rows, self.page_size = user, password, rows, page_size
        self.valid: set[str] = set()
        self.refresh: set[str] = set()
        self.logins = 0
        self.grants: list[str] = []
        self.expires_in = 86400

    def expire_tokens(self) -> None:
        """Every issued access token stops working (as when it expires)."""
        with self.lock:
            self.valid.clear()

    def answer(self, method: str, path: str, query: dict[str, str], request: Any) -> Answer:
        if method == "POST" and path == "/oauth/token":
            return self._token(request.form)
        if path != "/api/acled/read":
            return _json(404, {"error": "not found"})
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if bearer not in self.valid:
            return _json(401, {"error": "invalid token"})
        rows = self._filtered(query)
        page, limit = int(query.get("page", "1")), min(int(query["limit"]), self.page_size)
        data = rows[(page - 1) * limit : page * limit]
        return _json(200, {"status": 200, "success": True, "count": len(data), "data": data})

    def _token(self, form: dict[str, str]) -> Answer:
        if form.get("client_id") != "acled":
            return _json(400, {"error": "invalid_client"})
        grant = form.get("grant_type")
        ok = (
            grant == "password"
            and form.get("username") == self.user
            and form.get("password") == self.password
        ) or (grant == "refresh_token" and form.get("refresh_token") in self.refresh)
        if not ok:
            return _json(401, {"error": "invalid_grant"})
        with self.lock:
            self.grants.append(str(grant))
            self.logins += 1
            token, refresh = f"access-{self.logins}", f"refresh-{self.logins}"
            self.valid.add(token)
            self.refresh.add(refresh)
        body = {"access_token": token, "expires_in": self.expires_in}
        return _json(200, body | {"refresh_token": refresh, "token_type": "Bearer"})

    def _filtered(self, query: dict[str, str]) -> list[dict[str, str]]:
        rows = self.rows
        if query.get("event_date_where") == "BETWEEN":
            low, high = query["event_date"].split("|")
            rows = [r for r in rows if low <= r["event_date"] <= high]
        if "iso" in query:
            wanted = set(query["iso"].split(":OR:iso="))
            rows = [r for r in rows if r["iso"] in wanted]
        return rows


def gdelt_files(parts: int = 4) -> dict[str, bytes]:
    """The real GDELT file split into ``parts`` consecutive 15-minute export zips, by stamp."""
    with gzip.open(GDELT_SAMPLE, "rb") as handle:
        lines = handle.read().splitlines(keepends=True)
    size = math.ceil(len(lines) / parts)
    files = {}
    for i in range(parts):
        stamp = f"20250807{22 + (i * 15) // 60:02d}{(i * 15) % 60:02d}00"
        files[stamp] = zipped(f"{stamp}.export.CSV", b"".join(lines[i * size : (i + 1) * size]))
    return files


def zipped(name: str, payload: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(name, payload)
    return buffer.getvalue()


class Gdelt(Provider):
    """``/gdeltv2/lastupdate.txt``, ``masterfilelist.txt`` and the export zips they list."""

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__()
        self.files = dict(sorted(files.items()))
        self.published = len(self.files)
        self.wrong_md5: set[str] = set()
        self.base = ""

    def publish(self, count: int) -> None:
        """Make the first ``count`` files visible (the latest of them in lastupdate.txt)."""
        self.published = count

    def _lines(self, stamp: str) -> list[str]:
        data = self.files[stamp]
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        if stamp in self.wrong_md5:
            md5 = "0" * 32
        root = f"{self.base}/gdeltv2"
        other = hashlib.md5(stamp.encode(), usedforsecurity=False).hexdigest()
        return [
            f"{len(data)} {md5} {root}/{stamp}.export.CSV.zip",
            f"1234 {other} {root}/{stamp}.mentions.CSV.zip",
            f"5678 {other} {root}/{stamp}.gkg.csv.zip",
        ]

    def answer(self, method: str, path: str, query: dict[str, str], request: Any) -> Answer:
        visible = list(self.files)[: self.published]
        text = {"Content-Type": "text/plain"}
        if path == "/gdeltv2/lastupdate.txt":
            return 200, text, ("\n".join(self._lines(visible[-1])) + "\n").encode()
        if path == "/gdeltv2/masterfilelist.txt":
            body = "".join(line + "\n" for s in visible for line in self._lines(s))
            return 200, text, body.encode()
        name = path.rsplit("/", 1)[-1]
        if name.endswith(".export.CSV.zip") and name[:14] in visible:
            return 200, {"Content-Type": "application/zip"}, self.files[name[:14]]
        return 404, text, b"not found"


class _Handler(BaseHTTPRequestHandler):
    provider: Provider

    def log_message(self, *args: Any) -> None:  # keep the test output quiet
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        self.form = {k: v[-1] for k, v in parse_qs(body).items()}
        fault = self.provider.fault(method, parts.path, query)
        if fault is not None:
            time.sleep(fault.delay)
            if fault.drop:
                self.close_connection = True
                self.connection.close()
                return
        if fault is not None and fault.status is not None:
            status, headers, payload = fault.status, dict(fault.headers), b"server error"
        else:
            status, headers, payload = self.provider.answer(method, parts.path, query, self)
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            self.close_connection = True


@contextmanager
def serving(provider: Provider) -> Iterator[str]:
    """Serve ``provider`` on a free 127.0.0.1 port; yields the base URL."""
    handler = type("Handler", (_Handler,), {"provider": provider})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    provider.base = base  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


def page_is(number: int, key: str = "page") -> Callable[[str, dict[str, str]], bool]:
    """A fault matcher: the request asks for page ``number``."""
    return lambda path, query: query.get(key) == str(number)
