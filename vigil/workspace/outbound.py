"""Outbound requests (feeds, webhooks) under one address policy, with byte and time limits.

Only ``http`` and ``https`` URLs are fetched. Every address a host name resolves to must be
public: loopback, private, link-local (cloud metadata), carrier-grade NAT, multicast and
reserved ranges are refused unless the operator allows the host or network
(``VIGIL_OUTBOUND_ALLOW``). The check runs where the socket is opened — on the very address
connected to — so a redirect, or a name that resolves differently the second time (DNS
rebinding), cannot slip past it. Redirects are followed by hand, a bounded number of times,
each target checked again; answers are read up to a byte limit within a total time limit, and
proxies from the environment are ignored.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from vigil.errors import DataError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
SCHEMES = ("http", "https")
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class OutboundPolicy:
    """What outbound requests may reach, and how much they may cost."""

    allow_hosts: frozenset[str] = frozenset()
    allow_networks: tuple[Network, ...] = ()
    max_bytes: int = 5 * 1024 * 1024
    timeout: float = 20.0
    max_redirects: int = 3

    @classmethod
    def from_settings(cls, settings: Any) -> OutboundPolicy:
        """The policy configured in :class:`vigil.settings.Settings`."""
        return cls.allowing(
            settings.outbound_allow.split(","),
            max_bytes=settings.outbound_max_bytes,
            timeout=settings.outbound_timeout,
            max_redirects=settings.outbound_max_redirects,
        )

    @classmethod
    def allowing(cls, entries: Iterable[str], **limits: Any) -> OutboundPolicy:
        """A policy allowing these hosts, addresses and CIDR networks despite their range."""
        hosts, networks = set(), []
        for entry in (e.strip().lower() for e in entries):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.rstrip("."))
        return cls(frozenset(hosts), tuple(networks), **limits)

    def refusal(self, host: str, address: Address) -> str | None:
        """Why ``address`` (of ``host``) may not be reached, or None if it may."""
        if host.lower().rstrip(".") in self.allow_hosts:
            return None
        address = _unmapped(address)
        if any(address in network for network in self.allow_networks):
            return None
        if address.is_global and not address.is_multicast:
            return None
        kind = next(
            (
                name
                for name in ("loopback", "link_local", "private", "multicast", "reserved")
                if getattr(address, f"is_{name}")
            ),
            "non-public",
        )
        return (
            f"{host} resolves to {address}, a {kind.replace('_', '-')} address; "
            "an administrator can allow it with VIGIL_OUTBOUND_ALLOW"
        )


def _unmapped(address: Address) -> Address:
    """The IPv4 address inside an IPv4-mapped IPv6 address (``::ffff:127.0.0.1``)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class RefusedAddress(httpcore.ConnectError):
    """A connection the address policy refused (raised where the socket would be opened)."""


def resolve(host: str, port: int) -> list[Address]:
    """Every address ``host`` resolves to (an address literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise RefusedAddress(f"cannot resolve {host}: {err.strerror}") from err
    return list(
        dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos)
    )


@dataclass
class _GuardedBackend(httpcore.SyncBackend):
    """Opens sockets only to addresses the policy admits, checking every address of the name."""

    policy: OutboundPolicy = field(default_factory=OutboundPolicy)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve(host, port)
        for address in addresses:
            reason = self.policy.refusal(host, address)
            if reason is not None:
                raise RefusedAddress(reason)
        return super().connect_tcp(str(addresses[0]), port, timeout, local_address, socket_options)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with :class:`_GuardedBackend` under its connection pool.

    httpx does not take a network backend, so the pool it built is replaced by one that has
    it (with the same TLS context); ``tests/workspace/test_outbound.py`` proves it takes hold.
    """

    def __init__(self, policy: OutboundPolicy) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=_GuardedBackend(policy),
        )


def check_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL with a host, else a :class:`DataError`."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise DataError("only http:// and https:// URLs with a host are fetched", path=url)
    return url


def check_target(url: str, policy: OutboundPolicy) -> str:
    """Check a URL when it is registered (a feed source, a webhook): http(s), and no address
    the policy refuses. A name that does not resolve now passes; every fetch checks again."""
    parts = urlsplit(check_url(url))
    host = parts.hostname or ""
    try:
        addresses = resolve(host, parts.port or 443)
    except RefusedAddress:
        return url
    for address in addresses:
        reason = policy.refusal(host, address)
        if reason is not None:
            raise DataError(f"refused: {reason}", path=url)
    return url


@dataclass(frozen=True)
class Answer:
    """A response read whole (within the limits): final URL, status, headers and body."""

    url: str
    status: int
    headers: dict[str, str]
    content: bytes


def request(
    policy: OutboundPolicy,
    method: str,
    url: str,
    *,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    follow_redirects: bool = True,
) -> Answer:
    """One request under ``policy``; failures are :class:`DataError` naming the URL.

    Redirects (GET only) are followed up to ``policy.max_redirects`` times, each re-checked.
    """
    deadline = time.monotonic() + policy.timeout
    with httpx.Client(transport=GuardedTransport(policy), trust_env=False) as client:
        for _ in range(policy.max_redirects + 1):
            check_url(url)
            sent = {"Accept-Encoding": "identity", **(headers or {})}
            answer = _once(client, policy, deadline, method, url, content, sent)
            location = answer.headers.get("location")
            if not (follow_redirects and method == "GET" and answer.status in REDIRECTS):
                return answer
            if not location:
                return answer
            url = urljoin(url, location)
    raise DataError(f"more than {policy.max_redirects} redirects", path=url)


def _once(
    client: httpx.Client,
    policy: OutboundPolicy,
    deadline: float,
    method: str,
    url: str,
    content: bytes | None,
    headers: dict[str, str] | None,
) -> Answer:
    """Send one request and read its answer within the byte limit and the deadline."""
    try:
        with client.stream(
            method, url, content=content, headers=headers, timeout=_left(deadline, url)
        ) as response:
            declared = int(response.headers.get("content-length") or 0)
            if declared > policy.max_bytes:
                raise _too_big(policy, url)
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > policy.max_bytes:
                    raise _too_big(policy, url)
                _left(deadline, url)
            return Answer(
                str(response.url), response.status_code, dict(response.headers), bytes(body)
            )
    except httpx.TimeoutException as err:
        raise DataError(f"no complete answer within {policy.timeout:g} s", path=url) from err
    except httpx.HTTPError as err:
        raise DataError(f"cannot reach the server: {err}", path=url) from err


def _left(deadline: float, url: str) -> float:
    """Seconds left before ``deadline``, or a DataError once it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise DataError("the total time limit passed before the answer was complete", path=url)
    return left


def _too_big(policy: OutboundPolicy, url: str) -> DataError:
    return DataError(f"the answer is larger than {policy.max_bytes} bytes", path=url)
