"""The links a report may carry: absolute http(s) addresses, nothing else.

A report's ``url`` and a feed item's link are shown to analysts as links, so anything but a web
address (``javascript:``, ``data:``, a file path, a relative link) could run script or reach the
reader's machine; it is refused at intake and never rendered.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from vigil.errors import UsageError

__all__ = ["check_url", "is_web_url"]


def is_web_url(url: str | None) -> bool:
    """Whether ``url`` is an absolute http(s) address: the only links a report may carry.

    Anything else (``javascript:``, ``data:``, a file path, a relative link) could run script or
    reach the reader's machine when shown as a link, so it is refused at intake and never
    rendered.
    """
    if not url or url != url.strip() or any(ord(c) < 33 or c == "\\" for c in url):
        return False
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def check_url(url: str | None) -> str | None:
    """``url`` if it is a web address (or empty), else a usage error saying what is accepted."""
    if url is None or not url.strip():
        return None
    if not is_web_url(url.strip()):
        raise UsageError(
            f"report url {url[:80]!r}: only http:// and https:// addresses are accepted"
        )
    return url.strip()
