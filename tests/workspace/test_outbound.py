"""The outbound policy, against real loopback HTTP servers: only http(s), no loopback, private or
link-local address unless allowed (checked where the socket opens, so redirects are re-checked),
bounded redirects, bytes and time."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from vigil.errors import DataError
from vigil.workspace.database import Database
from vigil.workspace.intake import read_feed
from vigil.workspace.outbound import OutboundPolicy, check_target, request
from vigil.workspace.reports import add_source
from vigil.workspace.users import User

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Monitor</title>
<item><title>Curfew in the north</title><link>http://example.org/1</link>
<description>Arrests of activists.</description></item></channel></rss>"""
LOCAL = OutboundPolicy.allowing(["127.0.0.1"], timeout=5.0)


class Feeds(BaseHTTPRequestHandler):
    """A feed, redirects, a huge answer and a slow drip; counts every request it gets."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        port = self.headers["Host"].rsplit(":", 1)[1]
        if self.path == "/rss.xml":
            self._answer(200, RSS, "application/rss+xml")
        elif self.path == "/to-ip":
            self._redirect(f"http://127.0.0.1:{port}/rss.xml")
        elif self.path.startswith("/loop"):
            self._redirect(f"/loop{len(self.path)}")
        elif self.path == "/huge":
            self._answer(200, b"x" * 3_000_000, "application/rss+xml")
        elif self.path == "/huge-chunked":
            self._chunked(b"y" * 65536, 50)
        elif self.path == "/drip":
            self._drip()
        else:
            self._answer(404, b"", "text/plain")

    def _answer(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the client hung up at its byte limit
            return

    def _redirect(self, target: str) -> None:
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _chunked(self, chunk: bytes, times: int) -> None:
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for _ in range(times):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            return

    def _drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(200):
                self.wfile.write(b"<")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            return

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[Feeds]]]:
    handler = type("FreshFeeds", (Feeds,), {"hits": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    "source",
    ["/etc/passwd", "file:///etc/passwd", "ftp://example.org/feed", "etc/hosts", "http:///x"],
)
def test_a_feed_url_that_is_not_http_is_refused_and_no_file_is_opened(source: str) -> None:
    with pytest.raises(DataError, match="only http:// and https://"):
        read_feed(source)


def test_loopback_feeds_are_refused_by_default_without_a_request(
    server: tuple[str, type[Feeds]],
) -> None:
    base, handler = server
    port = base.rsplit(":", 1)[1]
    for url in (
        f"{base}/rss.xml",
        f"http://localhost:{port}/rss.xml",
        f"http://[::ffff:127.0.0.1]:{port}/rss.xml",
        f"http://2130706433:{port}/rss.xml",  # 127.0.0.1 as one decimal number
    ):
        with pytest.raises(DataError, match="loopback"):
            read_feed(url)
    assert handler.hits == []


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.0.0.7/feed", "private"),
        ("http://192.168.1.1/feed", "private"),
        ("http://[fd00::1]/feed", "private"),
        ("http://0.0.0.0:1/feed", "0.0.0.0"),
        ("http://100.64.0.1/feed", "non-public"),
    ],
)
def test_private_and_link_local_addresses_are_refused(url: str, kind: str) -> None:
    policy = OutboundPolicy(timeout=2.0)
    with pytest.raises(DataError, match=kind):
        request(policy, "GET", url)
    with pytest.raises(DataError, match="refused"):
        check_target(url, policy)


def test_an_allowed_host_is_fetched(server: tuple[str, type[Feeds]]) -> None:
    base, handler = server
    assert read_feed(f"{base}/rss.xml", policy=LOCAL)[0].title == "Curfew in the north"
    by_name = OutboundPolicy.allowing(["LOCALHOST"])
    port = base.rsplit(":", 1)[1]
    assert read_feed(f"http://localhost:{port}/rss.xml", policy=by_name)
    assert handler.hits == ["/rss.xml", "/rss.xml"]


def test_a_redirect_is_checked_again_at_its_target(server: tuple[str, type[Feeds]]) -> None:
    base, handler = server
    port = base.rsplit(":", 1)[1]
    only_the_name = OutboundPolicy.allowing(["localhost"])
    with pytest.raises(DataError, match="loopback"):
        read_feed(f"http://localhost:{port}/to-ip", policy=only_the_name)
    assert handler.hits == ["/to-ip"]
    assert read_feed(f"{base}/to-ip", policy=LOCAL)  # both ends allowed: followed


def test_redirects_are_bounded(server: tuple[str, type[Feeds]]) -> None:
    base, handler = server
    with pytest.raises(DataError, match="more than 3 redirects"):
        read_feed(f"{base}/loop", policy=LOCAL)
    assert len(handler.hits) == 4


@pytest.mark.parametrize("path", ["/huge", "/huge-chunked"])
def test_answers_are_cut_at_the_byte_limit(server: tuple[str, type[Feeds]], path: str) -> None:
    base, _ = server
    policy = OutboundPolicy.allowing(["127.0.0.1"], max_bytes=1_000_000)
    with pytest.raises(DataError, match="larger than 1000000 bytes"):
        read_feed(f"{base}{path}", policy=policy)


def test_a_slow_drip_is_cut_at_the_total_time_limit(server: tuple[str, type[Feeds]]) -> None:
    base, _ = server
    policy = OutboundPolicy.allowing(["127.0.0.1"], timeout=1.5)
    started = time.monotonic()
    with pytest.raises(DataError, match=r"time limit|within 1\.5 s"):
        read_feed(f"{base}/drip", policy=policy)
    assert time.monotonic() - started < 4.0


def test_the_allow_list_comes_from_the_settings(tmp_path: Path) -> None:
    from vigil.settings import Settings

    settings = Settings(home=tmp_path, outbound_allow="127.0.0.1, 10.1.0.0/16,feeds.internal")
    policy = OutboundPolicy.from_settings(settings)
    assert policy.allow_hosts == frozenset({"feeds.internal"})
    assert [str(n) for n in policy.allow_networks] == ["127.0.0.1/32", "10.1.0.0/16"]
    assert policy.refusal("x", ipaddress.ip_address("10.1.2.3")) is None
    assert policy.refusal("x", ipaddress.ip_address("10.2.0.1")) is not None
    assert policy.refusal("feeds.internal", ipaddress.ip_address("10.9.9.9")) is None


@pytest.mark.parametrize("url", ["/etc/shadow", "http://127.0.0.1:9/feed", "javascript:x"])
def test_a_feed_source_with_a_forbidden_url_is_refused_at_registration(
    db: Database, people: dict[str, User], url: str
) -> None:
    with db.session() as session, pytest.raises(DataError):
        add_source(session, people["analyst"], "monitor", kind="feed", url=url)
