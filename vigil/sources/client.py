"""HTTP for the sync clients: retries with back-off and jitter, ``Retry-After``, capped downloads.

One :class:`Http` wraps an ``httpx.Client``. A request that fails in a way worth repeating (a 5xx,
429 Too Many Requests, a timeout, a dropped connection) is retried up to ``retries`` times, waiting
``backoff · 2^attempt`` seconds scaled by a random factor in [0.5, 1.5) — or what the server asked
for in ``Retry-After``, capped. Anything else, and the last failure, becomes a
:class:`~vigil.errors.SourceError` that names the URL (never a credential: those travel in headers
and form bodies, which no message includes).
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

from vigil import __version__
from vigil.errors import SourceError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_WAIT = 300.0
USER_AGENT = f"vigil/{__version__} (+https://github.com/vigil-ews/vigil)"


def new_client(timeout: float) -> httpx.Client:
    """An httpx client with Vigil's user agent, ``timeout`` seconds per request, no redirects
    off the configured host (redirects are not followed: providers answer where configured)."""
    return httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT})


@dataclass(slots=True)
class Http:
    """Requests with retries over one httpx client (all parameters injected, nothing global)."""

    client: httpx.Client
    retries: int = 4
    backoff: float = 2.0
    gap: float = 0.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = field(default=random.random)
    clock: Callable[[], float] = time.monotonic
    _last: float = float("-inf")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request, retrying transient failures; the final response is 2xx or a 4xx
        other than 429 (the caller decides what a 401 or 404 means)."""
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            self._pace()
            try:
                response = self.client.request(method, url, **kwargs)
            except httpx.TransportError as err:
                if last:
                    raise SourceError(f"{method} {url}: {_describe(err)}") from err
                self.sleep(self._delay(attempt, None))
                continue
            if response.status_code not in RETRY_STATUSES:
                return response
            if last:
                break
            self.sleep(self._delay(attempt, response.headers.get("Retry-After")))
        raise SourceError(
            f"{method} {url}: HTTP {response.status_code} after {self.retries + 1} attempt(s)"
        )

    def json(self, method: str, url: str, **kwargs: Any) -> Any:
        """A request whose 2xx answer must be JSON; other answers raise SourceError."""
        response = self.request(method, url, **kwargs)
        check(response)
        try:
            return response.json()
        except ValueError as err:
            raise SourceError(f"{method} {url}: the answer is not JSON") from err

    @contextmanager
    def stream(self, url: str) -> Iterator[httpx.Response]:
        """A streamed GET (for large listings) with the same retry rule on connecting."""
        for attempt in range(self.retries + 1):
            started = False  # once the body is being read, a failure is not retried here
            self._pace()
            try:
                with self.client.stream("GET", url) as response:
                    if response.status_code in RETRY_STATUSES and attempt < self.retries:
                        retry_after = response.headers.get("Retry-After")
                    else:
                        check(response)
                        started = True
                        yield response
                        return
            except httpx.TransportError as err:
                if started or attempt == self.retries:
                    raise SourceError(f"GET {url}: {_describe(err)}") from err
                retry_after = None
            self.sleep(self._delay(attempt, retry_after))

    def download(self, url: str, target: Path, size: int) -> str:
        """Stream ``url`` into ``target`` (at most ``size`` bytes) and return its MD5 hex digest;
        a body of another size is refused."""
        digest, written = hashlib.md5(usedforsecurity=False), 0
        with self.stream(url) as response, target.open("wb") as sink:
            for chunk in response.iter_bytes(1 << 16):
                written += len(chunk)
                if written > size:
                    raise SourceError(f"GET {url}: more than the announced {size} bytes; refused")
                digest.update(chunk)
                sink.write(chunk)
        if written != size:
            raise SourceError(f"GET {url}: {written} bytes, announced {size}; refused")
        return digest.hexdigest()

    def _pace(self) -> None:
        """Keep at least ``gap`` seconds between requests: providers ask for gentle use."""
        wait = self._last + self.gap - self.clock()
        if wait > 0:
            self.sleep(wait)
        self._last = self.clock()

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        asked = retry_after_seconds(retry_after)
        if asked is not None:
            return min(asked, MAX_WAIT)
        return min(self.backoff * 2**attempt * (0.5 + self.jitter()), MAX_WAIT)


def check(response: httpx.Response) -> None:
    """Raise SourceError for any answer but 2xx, naming the URL and status."""
    if not response.is_success:
        request = response.request
        raise SourceError(f"{request.method} {request.url}: HTTP {response.status_code}")


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # '²' is a digit to str.isdigit, not to float
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _describe(err: httpx.TransportError) -> str:
    if isinstance(err, httpx.TimeoutException):
        return "timed out"
    return f"{type(err).__name__} ({err})" if str(err) else type(err).__name__
