"""Report intake: text out of plain text, HTML and PDF files, and items out of RSS/Atom feeds."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import weasyprint
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.errors import DataError
from vigil.workspace.intake import (
    ExtractedText,
    detect_media_type,
    extract_text,
    fingerprint,
    read_feed,
)
from vigil.workspace.outbound import OutboundPolicy

ARTICLE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Displacement rises after attacks near Bunia</title>
  <script>window.analytics = {track: function () {}};</script>
  <style>body { font-family: sans-serif; }</style>
</head>
<body>
  <header><nav>
    <a href="/">Home</a> <a href="/news">News</a> <a href="/about">About us</a>
  </nav></header>
  <main>
    <article>
      <h1>Displacement rises after attacks near Bunia</h1>
      <p>More than 12,000 people have fled their villages in the hills west of Bunia since the
      start of the month, after armed men attacked three settlements at night and set fire to
      dozens of homes, according to community leaders reached by telephone.</p>
      <p>Residents said the attackers arrived on foot shortly after midnight and singled out
      families who had returned from the displacement camps only weeks earlier. Local health
      workers counted at least 19 dead and many more wounded.</p>
      <p>The provincial authorities announced a curfew and said reinforcements would be sent,
      but aid agencies warned that the camps around the town were already overcrowded.</p>
    </article>
  </main>
  <footer>Copyright 2026 Example Newsroom. Subscribe to our newsletter. Cookie settings.</footer>
</body>
</html>
"""


def _pdf(*pages: str, title: str = "Field report") -> bytes:
    body = "".join(
        f'<section style="page-break-after: always"><p>{text}</p></section>' for text in pages
    )
    html = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    return bytes(weasyprint.HTML(string=html).write_pdf())


def test_plain_text_is_read_as_utf8() -> None:
    data = "Réfugiés à la frontière: 3 000 personnes.\r\n\r\n\r\nSecond paragraph.  ".encode()
    result = extract_text(data, "text/plain", "note.txt")
    assert result.text == "Réfugiés à la frontière: 3 000 personnes.\n\nSecond paragraph."
    assert result.media_type == "text/plain"
    assert result.filename == "note.txt"
    assert result.fingerprint == fingerprint(result.text)
    assert result.title is None and result.pages is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Café in Bamako".encode("cp1252"), "Café in Bamako"),
        ("\ufeffWith a byte-order mark".encode(), "With a byte-order mark"),
        ("Wide text from Windows".encode("utf-16"), "Wide text from Windows"),
    ],
)
def test_plain_text_in_other_encodings(data: bytes, expected: str) -> None:
    assert extract_text(data, None, "note.txt").text == expected


def test_html_keeps_the_article_and_drops_navigation_scripts_and_footer() -> None:
    result = extract_text(ARTICLE.encode(), "text/html; charset=utf-8", "bunia.html")
    assert result.media_type == "text/html"
    assert result.title == "Displacement rises after attacks near Bunia"
    assert "More than 12,000 people have fled" in result.text
    assert "aid agencies warned" in result.text
    for boilerplate in ("analytics", "font-family", "Subscribe", "About us"):
        assert boilerplate not in result.text


def test_a_very_short_html_page_still_yields_its_text() -> None:
    page = b"<html><body><script>x()</script><p>Shots fired at the market.</p></body></html>"
    assert extract_text(page, None, "short.html").text == "Shots fired at the market."


def test_pdf_text_comes_from_every_page() -> None:
    data = _pdf(
        "Page one: militia fighters were seen gathering near the river crossing.",
        "Page two: the district commissioner asked for police reinforcements.",
    )
    result = extract_text(data, "application/pdf", "report.pdf")
    assert result.media_type == "application/pdf"
    assert result.pages == 2
    assert result.title == "Field report"
    assert "militia fighters were seen gathering" in result.text
    assert "asked for police reinforcements" in result.text
    assert result.text.index("Page one") < result.text.index("Page two")


def test_pdf_without_text_asks_for_ocr() -> None:
    blank = bytes(weasyprint.HTML(string="<html><body></body></html>").write_pdf())
    with pytest.raises(DataError, match=r"scan\.pdf: .*no extractable text"):
        extract_text(blank, None, "scan.pdf")


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage", b"%PDF-1.4\n"],
)
def test_broken_pdf_is_a_data_error_naming_the_file(data: bytes) -> None:
    with pytest.raises(DataError, match=r"^broken\.pdf: "):
        extract_text(data, None, "broken.pdf")


def test_truncated_pdf_is_refused() -> None:
    data = _pdf("A complete sentence on the only page of this report.")
    with pytest.raises(DataError, match=r"truncated\.pdf"):
        extract_text(data[: len(data) // 3], "application/pdf", "truncated.pdf")


@pytest.mark.parametrize(
    ("data", "media_type", "filename", "message"),
    [
        (b"", "text/plain", "empty.txt", "empty"),
        (b"\x00\x01\x02binary\x00", None, "blob.txt", "binary"),
        (b"   \n\t  ", None, "blank.txt", "no readable text"),
        (b"PK\x03\x04", "application/zip", "archive.zip", "unsupported media type"),
    ],
)
def test_unreadable_input_names_the_file(
    data: bytes, media_type: str | None, filename: str, message: str
) -> None:
    with pytest.raises(DataError, match=message) as caught:
        extract_text(data, media_type, filename)
    assert str(caught.value).startswith(f"{filename}: ")


def test_upload_without_a_name_is_called_upload() -> None:
    with pytest.raises(DataError, match=r"^<upload>: "):
        extract_text(b"", None, None)


@pytest.mark.parametrize(
    ("data", "media_type", "filename", "expected"),
    [
        (b"anything", "application/pdf", None, "application/pdf"),
        (b"anything", "application/xhtml+xml", None, "text/html"),
        (b"anything", None, "REPORT.PDF", "application/pdf"),
        (b"anything", None, "page.htm", "text/html"),
        (b"%PDF-1.7 ...", "application/octet-stream", "upload.bin", "application/pdf"),
        (b"  <!DOCTYPE html><html></html>", None, None, "text/html"),
        (b"just words", None, None, "text/plain"),
    ],
)
def test_media_type_from_declaration_suffix_or_content(
    data: bytes, media_type: str | None, filename: str | None, expected: str
) -> None:
    assert detect_media_type(data, media_type, filename) == expected


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_as_text_either_extract_or_raise_a_data_error(data: bytes) -> None:
    try:
        result = extract_text(data, "text/plain", "fuzz.txt")
    except DataError as err:
        assert str(err).startswith("fuzz.txt: ")
    else:
        assert isinstance(result, ExtractedText) and result.text.strip()


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>Regional Monitor</title>
    <link>http://example.org/</link>
    <description>Daily situation updates</description>
    <item>
      <title>Clashes reported near &lt;b&gt;Malakal&lt;/b&gt;</title>
      <link>http://example.org/2026/11/malakal</link>
      <guid isPermaLink="false">monitor-0411</guid>
      <pubDate>Tue, 03 Nov 2026 08:30:00 GMT</pubDate>
      <description>&lt;p&gt;Fighting between &lt;em&gt;two militias&lt;/em&gt; forced
      families to flee to the UN base.&lt;/p&gt;</description>
    </item>
    <item>
      <title>Market reopens</title>
      <link>http://example.org/2026/11/market</link>
      <pubDate>Wed, 04 Nov 2026 10:00:00 +0300</pubDate>
      <description>Traders returned after a week of closures.</description>
    </item>
  </channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Protection Cluster Alerts</title>
  <id>urn:uuid:feed-1</id>
  <updated>2026-11-05T12:00:00Z</updated>
  <entry>
    <title>Curfew extended in the eastern districts</title>
    <id>urn:uuid:entry-1</id>
    <link href="http://example.org/alerts/1"/>
    <updated>2026-11-05T11:15:00Z</updated>
    <content type="html">&lt;p&gt;The curfew now runs from &lt;strong&gt;6 pm&lt;/strong&gt;
    to 6 am.&lt;/p&gt;&lt;script&gt;track()&lt;/script&gt;</content>
  </entry>
</feed>
"""


#: The loopback test servers are reachable only because this policy allows them.
LOCAL = OutboundPolicy.allowing(["127.0.0.1"], timeout=5.0)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""


@pytest.fixture(scope="module")
def feed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real HTTP server on loopback serving an RSS feed, an Atom feed and an HTML page."""
    root = tmp_path_factory.mktemp("feeds")
    (root / "rss.xml").write_text(RSS, encoding="utf-8")
    (root / "atom.xml").write_text(ATOM, encoding="utf-8")
    (root / "page.html").write_text(ARTICLE, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_rss_feed_items_from_a_local_server(feed_server: str) -> None:
    items = read_feed(f"{feed_server}/rss.xml", policy=LOCAL)
    assert [item.title for item in items] == ["Clashes reported near Malakal", "Market reopens"]
    first, second = items
    assert first.id == "monitor-0411"
    assert first.link == "http://example.org/2026/11/malakal"
    assert first.published == datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
    assert first.text == "Fighting between two militias forced families to flee to the UN base."
    assert first.feed_title == "Regional Monitor"
    assert first.source == f"{feed_server}/rss.xml"
    assert second.id == "http://example.org/2026/11/market"  # no guid: the link stands in
    assert second.published == datetime(2026, 11, 4, 7, 0, tzinfo=UTC)


def test_atom_feed_items_from_a_local_server(feed_server: str) -> None:
    (item,) = read_feed(f"{feed_server}/atom.xml", policy=LOCAL)
    assert item.id == "urn:uuid:entry-1"
    assert item.title == "Curfew extended in the eastern districts"
    assert item.link == "http://example.org/alerts/1"
    assert item.published == datetime(2026, 11, 5, 11, 15, tzinfo=UTC)
    assert "6 pm" in item.text and "track()" not in item.text
    assert item.feed_title == "Protection Cluster Alerts"


def test_feed_from_bytes_and_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(ATOM, encoding="utf-8")
    assert read_feed(path)[0].title == read_feed(ATOM.encode())[0].title


def test_same_feed_item_has_the_same_fingerprint(feed_server: str) -> None:
    once = read_feed(f"{feed_server}/rss.xml", policy=LOCAL)[0]
    again = read_feed(RSS.encode())[0]
    assert once.fingerprint == again.fingerprint


def test_missing_feed_is_a_data_error_naming_the_url(feed_server: str) -> None:
    url = f"{feed_server}/nothing-here.xml"
    with pytest.raises(DataError, match="HTTP 404") as caught:
        read_feed(url, policy=LOCAL)
    assert url in str(caught.value)


def test_html_page_is_not_a_feed(feed_server: str) -> None:
    with pytest.raises(DataError, match="not an RSS or Atom feed"):
        read_feed(f"{feed_server}/page.html", policy=LOCAL)


def test_unreachable_server_is_a_data_error() -> None:
    with pytest.raises(DataError, match="cannot reach the server"):
        read_feed("http://127.0.0.1:9/feed.xml", policy=LOCAL)


def test_missing_feed_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read the feed file"):
        read_feed(tmp_path / "absent.xml")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=500))
def test_any_markup_as_html_either_extracts_or_raises_a_data_error(markup: str) -> None:
    try:
        result = extract_text(f"<html><body>{markup}</body></html>".encode(), "text/html", "f.html")
    except DataError as err:
        assert str(err).startswith("f.html: ")
    else:
        assert result.text.strip()
