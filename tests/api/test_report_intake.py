"""Report intake through the API: file uploads and RSS feeds served over loopback HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from clients import api_client, bearer, make_users
from fastapi.testclient import TestClient

FEED = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Field monitor</title>
<item><title>Curfew and arrests in the north</title><link>http://example.org/1</link>
<description>Security forces in Myanmar imposed a curfew and detained dozens of activists from the
minority community after a night of protests.</description></item>
<item><title>Radio broadcasts target minority</title><link>http://example.org/2</link>
<description>A local station in Sudan aired speeches describing the community as a threat and
calling on listeners to act against it.</description></item>
</channel></rss>"""


class FeedHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        self.wfile.write(FEED)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def feed_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(vigil_home: Path) -> Iterator[TestClient]:
    url = f"sqlite:///{vigil_home / 'api.db'}"
    with api_client(vigil_home, url, outbound_allow="127.0.0.1") as c:
        yield c


def test_a_feed_source_is_polled_and_only_new_entries_are_stored(
    client: TestClient, vigil_home: Path, feed_url: str
) -> None:
    auth = bearer(make_users(f"sqlite:///{vigil_home / 'api.db'}")[("analyst", "restricted")])
    source = client.post(
        "/api/v1/sources",
        headers=auth,
        json={"name": "monitor", "kind": "feed", "url": feed_url, "confidentiality": "restricted"},
    )
    first = client.post(f"/api/v1/sources/{source.json()['id']}/poll", headers=auth).json()
    again = client.post(f"/api/v1/sources/{source.json()['id']}/poll", headers=auth).json()
    assert (first["read"], first["stored"], first["duplicates"]) == (2, 2, 0)
    assert (again["stored"], again["duplicates"]) == (0, 2)
    stored = client.get(f"/api/v1/reports/{first['report_ids'][0]}", headers=auth).json()
    assert stored["confidentiality"] == "restricted" and stored["countries"] == ["MMR"]


def test_an_uploaded_html_file_becomes_a_triaged_report(
    client: TestClient, vigil_home: Path
) -> None:
    auth = bearer(make_users(f"sqlite:///{vigil_home / 'api.db'}")[("analyst", "public")])
    html = (
        b"<html><head><title>Village burnings</title></head><body><nav>menu</nav>"
        b"<p>Witnesses in Sudan said militias burned three villages and killed civilians "
        b"while officials called the victims enemies of the nation.</p></body></html>"
    )
    response = client.post(
        "/api/v1/reports/upload", headers=auth, files={"file": ("story.html", html, "text/html")}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["title"] == "Village burnings" and "SDN" in body["countries"]
    assert "menu" not in body["text"] and body["triage"]["factors"]
