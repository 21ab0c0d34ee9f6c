"""Report intake: text out of plain-text, HTML and PDF files, and items out of RSS/Atom feeds.

Every function takes bytes (or a feed URL) and returns plain values, so the API, the CLI and the
tests call the same code. Unreadable input raises :class:`~vigil.errors.DataError` naming the
file or URL and saying what was expected. Duplicate detection lives in
:mod:`vigil.workspace.duplicates` and is re-exported here.
"""

from __future__ import annotations

import calendar
import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vigil.errors import DataError
from vigil.workspace import outbound
from vigil.workspace.duplicates import (
    Duplicate,
    KnownText,
    NearDuplicateIndex,
    find_duplicate,
    fingerprint,
    minhash,
    near_duplicate_pairs,
    similarity,
)
from vigil.workspace.outbound import OutboundPolicy

__all__ = [
    "MAX_BYTES",
    "Duplicate",
    "ExtractedText",
    "FeedItem",
    "KnownText",
    "NearDuplicateIndex",
    "detect_media_type",
    "extract_text",
    "find_duplicate",
    "fingerprint",
    "minhash",
    "near_duplicate_pairs",
    "read_feed",
    "similarity",
]

PLAIN, HTML, PDF = "text/plain", "text/html", "application/pdf"
MAX_BYTES = 50 * 1024 * 1024
#: Most pages read from one PDF, and most characters of text kept from one file.
MAX_PAGES = 2000
MAX_CHARS = 2_000_000
_SUFFIXES = {
    ".txt": PLAIN,
    ".text": PLAIN,
    ".md": PLAIN,
    ".html": HTML,
    ".htm": HTML,
    ".xhtml": HTML,
    ".pdf": PDF,
}
_MEDIA_ALIASES = {"application/xhtml+xml": HTML, "text/markdown": PLAIN, "application/x-pdf": PDF}
_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote")
FEED_TYPES = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.1"
_BREAK = "\ue000"  # a private-use character marks block boundaries while text is flattened


@dataclass(frozen=True, slots=True)
class ExtractedText:
    """The readable text of one file, with what is needed to store and de-duplicate it."""

    text: str
    title: str | None
    media_type: str
    filename: str | None
    sha256: str
    fingerprint: str
    pages: int | None = None


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of an RSS or Atom feed, its HTML reduced to text."""

    id: str
    title: str
    link: str | None
    published: datetime | None
    text: str
    feed_title: str | None
    source: str

    @property
    def fingerprint(self) -> str:
        """Normalised-text hash of title and text, for exact-duplicate checks."""
        return fingerprint(f"{self.title}\n{self.text}")


def detect_media_type(data: bytes, media_type: str | None, filename: str | None) -> str:
    """``text/plain``, ``text/html`` or ``application/pdf``: the declared type if it is one of
    these, else the file's suffix, else the content itself."""
    declared = (media_type or "").split(";")[0].strip().lower()
    declared = _MEDIA_ALIASES.get(declared, declared)
    if declared in (PLAIN, HTML, PDF):
        return declared
    suffix = Path(filename).suffix.lower() if filename else ""
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf-"):
        return PDF
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return HTML
    if declared and not declared.startswith("text/"):
        raise DataError(
            f"unsupported media type {declared!r}: expected plain text, HTML or PDF",
            path=filename or "<upload>",
        )
    return PLAIN


def extract_text(
    data: bytes,
    media_type: str | None = None,
    filename: str | None = None,
    *,
    max_pages: int = MAX_PAGES,
    max_chars: int = MAX_CHARS,
) -> ExtractedText:
    """Readable text (and a title where the format has one) of a plain-text, HTML or PDF file.

    A PDF of more than ``max_pages`` pages, or a file yielding more than ``max_chars``
    characters, is refused. Untrusted uploads go through
    :func:`vigil.workspace.extraction.extract_in_worker`, which also bounds time and memory.
    """
    where = filename or "<upload>"
    if not data:
        raise DataError("the file is empty: expected text, HTML or PDF content", path=where)
    if len(data) > MAX_BYTES:
        raise DataError(
            f"the file is {len(data)} bytes; reports up to {MAX_BYTES} bytes are accepted",
            path=where,
        )
    kind = detect_media_type(data, media_type, filename)
    pages: int | None = None
    if kind == PDF:
        text, title, pages = _read_pdf(data, where, max_pages, max_chars)
    else:
        text, title, _ = (_read_html if kind == HTML else _read_plain)(data, where)
    _check_length(len(text), max_chars, where)
    text = _tidy(text)
    if not text:
        raise DataError(f"no readable text found in this {kind} file", path=where)
    return ExtractedText(
        text=text,
        title=title,
        media_type=kind,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        fingerprint=fingerprint(text),
        pages=pages,
    )


def _check_length(length: int, max_chars: int, where: str) -> None:
    if length > max_chars:
        raise DataError(
            f"the file holds more than {max_chars} characters of text: split it into smaller "
            "reports",
            path=where,
        )


def _read_plain(data: bytes, where: str) -> tuple[str, str | None, None]:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError("the file looks binary, not text: expected UTF-8 text", path=where)
    for encoding in ("utf-8-sig", "utf-16"):
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return data.decode(encoding), None, None
        except UnicodeDecodeError:
            continue
    try:
        return data.decode("cp1252"), None, None
    except UnicodeDecodeError as err:
        raise DataError(
            f"cannot decode the text at byte {err.start}: expected UTF-8 (or Windows-1252)",
            path=where,
        ) from err


def _read_html(data: bytes, where: str) -> tuple[str, str | None, None]:
    import trafilatura

    text = trafilatura.extract(data, include_comments=False, include_tables=True)
    metadata = trafilatura.extract_metadata(data)
    title = metadata.title if metadata is not None else None
    if not text:  # very short pages have no "main content" for trafilatura: keep all body text
        text = _html_to_text(data.decode("utf-8", errors="replace"))
    return text or "", title, None


def _html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment or page: scripts, styles and navigation dropped, source
    line breaks ignored (as a browser would), one paragraph per block element."""
    import lxml.html
    from lxml.etree import ParserError

    markup = markup.replace(_BREAK, " ")
    if not markup.strip():
        return ""
    try:
        root = lxml.html.fromstring(markup)
    except ParserError:
        return markup
    for node in root.xpath("//script|//style|//noscript|//nav|//header|//footer"):
        node.drop_tree()
    for node in root.iter(*_BLOCKS):
        node.tail = _BREAK + (node.tail or "")
    paragraphs = (" ".join(part.split()) for part in str(root.text_content()).split(_BREAK))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def _read_pdf(
    data: bytes, where: str, max_pages: int, max_chars: int
) -> tuple[str, str | None, int]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DataError("the PDF is password-protected: export an unlocked copy", path=where)
        if len(reader.pages) > max_pages:
            raise DataError(
                f"the PDF has {len(reader.pages)} pages; at most {max_pages} are read: split it",
                path=where,
            )
        pages: list[str] = []
        for page in reader.pages:  # stop as soon as the text is too long, not at the end
            pages.append(page.extract_text() or "")
            _check_length(sum(map(len, pages)), max_chars, where)
        title = reader.metadata.title if reader.metadata is not None else None
    except (PyPdfError, ValueError, KeyError, TypeError) as err:
        raise DataError(f"cannot read the PDF: {err}", path=where) from err
    if not any(page.strip() for page in pages):
        raise DataError(
            f"the PDF has {len(pages)} page(s) but no extractable text (a scan?): "
            "run OCR first and submit the text",
            path=where,
        )
    return "\n\n".join(pages), title or None, len(pages)


def _tidy(text: str) -> str:
    """Strip trailing spaces and collapse runs of blank lines, keeping paragraphs."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy).strip()


def read_feed(
    source: str | bytes | Path, *, policy: OutboundPolicy | None = None
) -> list[FeedItem]:
    """Entries of an RSS or Atom feed given as an http(s) URL, the feed's bytes, or (from the
    command line and tests only) a :class:`~pathlib.Path`.

    A URL is fetched under ``policy`` (by default: public addresses only, bounded size, time
    and redirects; see :mod:`vigil.workspace.outbound`); a string that is not an http(s) URL
    is refused, never opened as a file.
    """
    import feedparser

    where, payload = _feed_payload(source, policy or OutboundPolicy())
    parsed: Any = feedparser.parse(payload)
    if not parsed.version and not parsed.entries:
        reason = parsed.get("bozo_exception", "no RSS or Atom elements")
        raise DataError(f"not an RSS or Atom feed ({reason})", path=where)
    feed_title = parsed.feed.get("title") or None
    return [_feed_item(entry, feed_title, where) for entry in parsed.entries]


def _feed_payload(source: str | bytes | Path, policy: OutboundPolicy) -> tuple[str, bytes]:
    if isinstance(source, bytes):
        return "<feed>", source
    if isinstance(source, str):
        return source, _fetch(source, policy)
    try:
        return str(source), source.read_bytes()
    except OSError as err:
        raise DataError(f"cannot read the feed file: {err.strerror}", path=str(source)) from err


def _fetch(url: str, policy: OutboundPolicy) -> bytes:
    """GET a feed URL under the outbound policy; an HTTP error status becomes a DataError."""
    answer = outbound.request(
        policy, "GET", outbound.check_url(url), headers={"Accept": FEED_TYPES}
    )
    if answer.status >= 300:
        raise DataError(f"the feed server answered HTTP {answer.status}", path=url)
    return answer.content


def _feed_item(entry: Any, feed_title: str | None, where: str) -> FeedItem:
    content = entry.get("content") or []
    body = " ".join(part.get("value", "") for part in content) or entry.get("summary", "")
    title = _tidy(_html_to_text(entry.get("title", "")))
    link = _web_link(entry.get("link"))
    return FeedItem(
        id=str(entry.get("id") or link or fingerprint(f"{title}\n{body}")),
        title=title,
        link=link,
        published=_entry_time(entry),
        text=_tidy(_html_to_text(body)),
        feed_title=feed_title,
        source=where,
    )


def _web_link(link: Any) -> str | None:
    """An entry's link if it is an http(s) address; other schemes are dropped, not stored."""
    from vigil.workspace.links import is_web_url

    return link.strip() if isinstance(link, str) and is_web_url(link.strip()) else None


def _entry_time(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
