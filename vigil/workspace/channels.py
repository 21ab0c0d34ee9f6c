"""Notification channels: a webhook URL or e-mail addresses, checked when they are registered,
and the signing of webhook payloads.

E-mail targets must be plain addresses (no line breaks, which would inject headers); webhook
URLs must pass the outbound address policy of :mod:`vigil.workspace.outbound`. Channels can be
disabled (nothing new is queued or sent) and deleted (pending messages are cancelled; the
channel's delivery history is kept).

Every webhook body is signed with HMAC-SHA256 under a secret of its own channel, derived from
the server key ``VIGIL_SECRET_KEY`` and the channel's id and creation time, so no secret is
stored in the database and rotating the server key rotates every channel's secret::

    X-Vigil-Timestamp: <unix seconds>
    X-Vigil-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from vigil.errors import ConflictError, NotFoundError, UsageError
from vigil.workspace import audit
from vigil.workspace.access import Role, require_role
from vigil.workspace.alerts import SEVERITIES
from vigil.workspace.database import Base, UTCDateTime, utcnow
from vigil.workspace.outbound import OutboundPolicy, check_target

KINDS = ("webhook", "email")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
SIGNATURE_HEADER = "X-Vigil-Signature"
TIMESTAMP_HEADER = "X-Vigil-Timestamp"
_HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}$")


class Channel(Base):
    """Where notifications go: a webhook URL, or e-mail addresses through an SMTP server."""

    __tablename__ = "notification_channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(500))
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    min_severity: Mapped[str] = mapped_column(String(10), default="low")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def email_addresses(target: str) -> list[str]:
    """The comma-separated addresses of an e-mail target, each checked, or a UsageError."""
    if any(ord(char) < 32 or ord(char) == 127 for char in target):
        raise UsageError("an e-mail target may not contain line breaks or control characters")
    found = [part.strip() for part in target.split(",") if part.strip()]
    if not found:
        raise UsageError("an e-mail channel needs at least one address as its target")
    for address in found:
        try:
            parsed = Address(addr_spec=address)
        except (HeaderParseError, ValueError, IndexError) as err:
            raise UsageError(f"{address!r} is not an e-mail address: {err}") from err
        if not parsed.username or "." not in parsed.domain or parsed.addr_spec != address:
            raise UsageError(f"{address!r} is not an e-mail address like name@example.org")
    return found


def _check_email_config(config: dict[str, Any]) -> None:
    host, port = str(config.get("smtp_host", "")), config.get("smtp_port", 25)
    if not _HOST.match(host):
        raise UsageError("an e-mail channel needs config.smtp_host, a host name or address")
    if not isinstance(port, int) or not 0 < port < 65536:
        raise UsageError(f"config.smtp_port must be a port number, got {port!r}")
    if "sender" in config:
        email_addresses(str(config["sender"]))


def add_channel(
    session: Session,
    user: Any,
    name: str,
    kind: str,
    target: str,
    *,
    config: dict[str, Any] | None = None,
    min_severity: str = "low",
    policy: OutboundPolicy | None = None,
) -> Channel:
    """Register a channel after checking its target: e-mail addresses (``config.smtp_host``
    required, port and sender optional) or a webhook URL that ``policy`` admits."""
    require_role(user, Role.admin, "Adding a notification channel")
    if kind not in KINDS:
        raise UsageError(f"channel kind {kind!r}: use one of {', '.join(KINDS)}")
    if min_severity not in SEVERITY_RANK:
        raise UsageError(f"min_severity {min_severity!r}: use low, medium or high")
    config = dict(config or {})
    if kind == "webhook":
        check_target(target, policy or OutboundPolicy())
    else:
        email_addresses(target)
        _check_email_config(config)
    if session.scalar(select(Channel.id).where(Channel.name == name)) is not None:
        raise ConflictError(f"a channel named {name!r} exists already: pick another name")
    channel = Channel(
        name=name,
        kind=kind,
        target=target,
        config=config,
        min_severity=min_severity,
        enabled=True,
        created_at=utcnow(),
    )
    session.add(channel)
    session.flush()
    audit.record(
        session, user, "create", "notification_channel", channel.id, after=audit.snapshot(channel)
    )
    return channel


def get_channel(session: Session, channel_id: int | str) -> Channel:
    """A live channel by id, or by name."""
    key = Channel.id if isinstance(channel_id, int) else Channel.name
    channel = session.scalar(select(Channel).where(key == channel_id, Channel.deleted_at.is_(None)))
    if channel is None:
        raise NotFoundError(f"no notification channel {channel_id!r}: see `vigil alerts channels`")
    return channel


def list_channels(session: Session) -> list[Channel]:
    """Every channel not deleted, by id."""
    query = select(Channel).where(Channel.deleted_at.is_(None)).order_by(Channel.id)
    return list(session.scalars(query))


def set_enabled(session: Session, user: Any, channel: Channel, enabled: bool) -> Channel:
    """Enable or disable a channel (a disabled one neither queues nor sends)."""
    require_role(user, Role.admin, "Changing a notification channel")
    before = audit.snapshot(channel)
    channel.enabled = enabled
    session.flush()
    audit.record(
        session,
        user,
        "update",
        "notification_channel",
        channel.id,
        before=before,
        after=audit.snapshot(channel),
    )
    return channel


def delete_channel(session: Session, user: Any, channel: Channel) -> int:
    """Delete a channel: it disappears from lists, its pending messages are cancelled (their
    count is returned) and its delivery history stays; its name becomes free again."""
    from vigil.workspace.notifications import Notification

    require_role(user, Role.admin, "Deleting a notification channel")
    before = audit.snapshot(channel)
    channel.enabled, channel.deleted_at = False, utcnow()
    channel.name = f"{channel.name[:90]} (deleted #{channel.id})"
    cancelled = session.execute(
        update(Notification)
        .where(Notification.channel_id == channel.id, Notification.status == "pending")
        .values(status="cancelled")
    )
    session.flush()
    audit.record(session, user, "delete", "notification_channel", channel.id, before=before)
    return int(getattr(cancelled, "rowcount", 0) or 0)


def channel_secret(key: str, channel: Channel) -> str:
    """The signing secret of one webhook channel (hex), derived from the server key."""
    message = f"vigil-webhook-v1|{channel.id}|{channel.created_at.isoformat()}"
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the ``X-Vigil-Signature`` header for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """Whether ``header`` is the signature of ``body`` (what a receiver runs)."""
    try:
        expected = signature(secret, int(timestamp), body)
    except ValueError:
        return False
    return hmac.compare_digest(expected, header)
