"""Notifications of alerts by webhook and e-mail: queued once, retried with back-off, all logged.

Each (channel, alert, event) is queued at most once — a unique key deduplicates. Delivery runs
outside the request that raised the alert: :func:`deliver_due` sends what is due, records every
attempt (success or failure, with the detail), and schedules a failed one again after an
exponentially growing delay until ``max_attempts`` is reached. A message that cannot be sent
at all (a refused address, a missing key) is a failed attempt like any other, and delivery
carries on with the next. Channels live in :mod:`vigil.workspace.channels`.
"""

from __future__ import annotations

import json
import logging
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from vigil import __version__
from vigil.errors import UsageError, VigilError
from vigil.workspace import outbound
from vigil.workspace.channels import (
    KINDS,
    SEVERITY_RANK,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Channel,
    add_channel,
    channel_secret,
    email_addresses,
    signature,
)
from vigil.workspace.database import Base, Database, UTCDateTime, utcnow
from vigil.workspace.outbound import OutboundPolicy

__all__ = [
    "KINDS",
    "SEVERITY_RANK",
    "Channel",
    "DeliveryAttempt",
    "Notification",
    "RetryPolicy",
    "Sender",
    "add_channel",
    "attempts_for",
    "deliver_all",
    "deliver_due",
    "enqueue",
    "payload_for",
    "send",
]
log = logging.getLogger(__name__)


class Notification(Base):
    """One message to send on one channel about one alert event."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("notification_channels.id"), index=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeliveryAttempt(Base):
    """The record of one attempt to deliver a notification."""

    __tablename__ = "notification_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    number: Mapped[int] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry: delay ``base * factor**(attempt-1)``."""

    max_attempts: int = 5
    base_delay: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    timeout: float = 10.0

    def delay(self, attempt: int) -> timedelta:
        """The wait after failed attempt number ``attempt`` (1-based)."""
        return self.base_delay * (self.factor ** (attempt - 1))


@dataclass(frozen=True)
class Sender:
    """What delivery needs besides the database: the outbound policy for webhooks and the
    server key their signing secrets derive from (None: webhooks cannot be signed, so fail)."""

    outbound: OutboundPolicy = field(default_factory=OutboundPolicy)
    signing_key: str | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> Sender:
        """The sender configured in :class:`vigil.settings.Settings`."""
        key = settings.secret_key.get_secret_value() if settings.secret_key else None
        return cls(OutboundPolicy.from_settings(settings), key)


def payload_for(alert: Any, event: str) -> dict[str, Any]:
    """The JSON body sent about an alert event (no confidential comments)."""
    return {
        "event": event,
        "alert": {
            "id": alert.id,
            "iso3": alert.iso3,
            "title": alert.title,
            "severity": alert.severity,
            "state": alert.state,
            "kind": alert.kind,
            "created_at": alert.created_at.isoformat(),
        },
        "sender": f"vigil {__version__}",
    }


def enqueue(session: Session, alert: Any, event: str) -> list[Notification]:
    """Queue a notification of ``event`` on every matching channel, at most once per channel.

    Channels only receive alerts at public level, since they leave Vigil's access control.
    """
    if alert.confidentiality != "public":
        return []
    channels = session.scalars(
        select(Channel).where(Channel.enabled.is_(True), Channel.deleted_at.is_(None))
    )
    queued = []
    for channel in channels:
        if SEVERITY_RANK[alert.severity] < SEVERITY_RANK[channel.min_severity]:
            continue
        key = f"c{channel.id}:a{alert.id}:{event}"
        if session.scalar(select(Notification.id).where(Notification.dedup_key == key)):
            continue
        note = Notification(
            channel_id=channel.id,
            alert_id=alert.id,
            event=event,
            dedup_key=key,
            payload=payload_for(alert, event),
            status="pending",
            attempts=0,
            next_attempt_at=utcnow(),
            created_at=utcnow(),
        )
        session.add(note)
        queued.append(note)
    session.flush()
    return queued


def send(channel: Channel, payload: dict[str, Any], timeout: float, sender: Sender) -> str:
    """Deliver one payload on one channel; returns a short detail or raises on failure."""
    if channel.kind == "webhook":
        return _post_webhook(channel, payload, sender)
    return _send_email(channel, payload, timeout)


def _post_webhook(channel: Channel, payload: dict[str, Any], sender: Sender) -> str:
    """POST the signed JSON body under the outbound policy; no redirects are followed."""
    if not sender.signing_key:
        raise UsageError("webhooks are signed: set VIGIL_SECRET_KEY for the notifier")
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(stamp),
        SIGNATURE_HEADER: signature(channel_secret(sender.signing_key, channel), stamp, body),
    }
    answer = outbound.request(
        sender.outbound, "POST", channel.target, content=body, headers=headers,
        follow_redirects=False,
    )  # fmt: skip
    if not 200 <= answer.status < 300:
        raise UsageError(f"the webhook answered HTTP {answer.status}")
    return f"HTTP {answer.status}"


def _send_email(channel: Channel, payload: dict[str, Any], timeout: float) -> str:
    alert = payload["alert"]
    recipients = email_addresses(channel.target)
    message = EmailMessage()
    message["From"] = channel.config.get("sender", "vigil@localhost")
    message["To"] = ", ".join(recipients)
    message["Subject"] = f"[Vigil {alert['severity']}] {alert['title']}"[:200]
    message.set_content(
        f"Alert {alert['id']} ({alert['kind']}) for {alert['iso3']}: {alert['title']}\n"
        f"State: {alert['state']}; raised {alert['created_at']}.\n"
    )
    host, port = channel.config["smtp_host"], int(channel.config.get("smtp_port", 25))
    with smtplib.SMTP(host, port, timeout=timeout) as smtp:
        refused = smtp.send_message(message)
    if refused:
        raise smtplib.SMTPRecipientsRefused(refused)
    return f"SMTP accepted for {channel.target}"


def deliver_due(
    db: Database,
    *,
    now: Callable[[], datetime] = utcnow,
    policy: RetryPolicy | None = None,
    limit: int = 100,
    sender: Sender | None = None,
) -> list[DeliveryAttempt]:
    """Attempt every pending notification that is due on an enabled channel; log each attempt
    (failures too: one bad channel never stops the others); schedule retries."""
    policy, sender = policy or RetryPolicy(), sender or Sender()
    with db.session(write=False) as session:
        due = list(
            session.scalars(
                select(Notification.id)
                .join(Channel, Channel.id == Notification.channel_id)
                .where(
                    Notification.status == "pending",
                    Notification.next_attempt_at <= now(),
                    Channel.enabled.is_(True),
                    Channel.deleted_at.is_(None),
                )
                .order_by(Notification.id)
                .limit(limit)
            )
        )
    attempts = (_attempt(db, note_id, now, policy, sender) for note_id in due)
    return [attempt for attempt in attempts if attempt is not None]


def _claim(db: Database, note_id: int, now: Callable[[], datetime], policy: RetryPolicy) -> bool:
    """Lease a due notification to this deliverer, so concurrent deliverers never both send it."""
    lease = timedelta(seconds=3 * policy.timeout + 60)
    with db.session() as session:
        claimed = session.execute(
            update(Notification)
            .where(
                Notification.id == note_id,
                Notification.status == "pending",
                Notification.next_attempt_at <= now(),
            )
            .values(next_attempt_at=now() + lease)
        )
        return bool(getattr(claimed, "rowcount", 0) == 1)


def _attempt(
    db: Database,
    note_id: int,
    now: Callable[[], datetime],
    policy: RetryPolicy,
    sender: Sender,
) -> DeliveryAttempt | None:
    if not _claim(db, note_id, now, policy):
        return None
    with db.session(write=False) as session:
        note = session.get_one(Notification, note_id)
        channel = session.get_one(Channel, note.channel_id)
        payload = dict(note.payload)
    started = time.perf_counter()
    try:
        detail, ok = send(channel, payload, policy.timeout, sender), True
    except (VigilError, httpx.HTTPError, OSError, smtplib.SMTPException, ValueError) as err:
        detail, ok = f"{type(err).__name__}: {err}", False
    except Exception as err:
        log.exception("delivering notification %s failed unexpectedly", note_id)
        detail, ok = f"{type(err).__name__}: {err}", False
    took = int((time.perf_counter() - started) * 1000)
    return _record(db, note_id, now, policy, ok, detail, took)


def _record(
    db: Database,
    note_id: int,
    now: Callable[[], datetime],
    policy: RetryPolicy,
    ok: bool,
    detail: str,
    took: int,
) -> DeliveryAttempt:
    """Log one attempt and move the notification on: sent, retried later, or failed."""
    with db.session() as session:
        note = session.get_one(Notification, note_id)
        note.attempts += 1
        attempt = DeliveryAttempt(
            notification_id=note.id,
            at=now(),
            number=note.attempts,
            ok=ok,
            detail=detail[:2000],
            duration_ms=took,
        )
        session.add(attempt)
        if ok:
            note.status, note.sent_at, note.last_error = "sent", now(), None
        else:
            note.last_error = detail[:2000]
            if note.attempts >= policy.max_attempts:
                note.status = "failed"
            else:
                note.next_attempt_at = now() + policy.delay(note.attempts)
    return attempt


def deliver_all(
    db: Database,
    *,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = utcnow,
    sender: Sender | None = None,
) -> int:
    """Keep delivering until nothing is pending on an enabled channel (waiting out back-offs);
    returns the attempts made."""
    made = 0
    while True:
        made += len(deliver_due(db, now=now, policy=policy, sender=sender))
        with db.session(write=False) as session:
            upcoming = session.scalar(
                select(Notification.next_attempt_at)
                .join(Channel, Channel.id == Notification.channel_id)
                .where(
                    Notification.status == "pending",
                    Channel.enabled.is_(True),
                    Channel.deleted_at.is_(None),
                )
                .order_by(Notification.next_attempt_at)
                .limit(1)
            )
        if upcoming is None:
            return made
        sleep(max(0.0, (upcoming - now()).total_seconds()))


def attempts_for(session: Session, notification_id: int) -> list[DeliveryAttempt]:
    """Every logged attempt for one notification, in order."""
    return list(
        session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.notification_id == notification_id)
            .order_by(DeliveryAttempt.id)
        )
    )
