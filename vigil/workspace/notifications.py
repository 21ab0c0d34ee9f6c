"""Notifications of alerts by webhook and e-mail: queued once, retried with back-off, all logged.

Each (channel, alert, event) is queued at most once — a unique key deduplicates. Delivery runs
outside the request that raised the alert: :func:`deliver_due` sends what is due, records every
attempt (success or failure, with the detail), and schedules a failed one again after an
exponentially growing delay until ``max_attempts`` is reached.
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from vigil import __version__
from vigil.errors import UsageError
from vigil.workspace import audit
from vigil.workspace.access import Role, require_role
from vigil.workspace.alerts import SEVERITIES
from vigil.workspace.database import Base, Database, UTCDateTime, utcnow

KINDS = ("webhook", "email")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


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


def add_channel(
    session: Session,
    user: Any,
    name: str,
    kind: str,
    target: str,
    *,
    config: dict[str, Any] | None = None,
    min_severity: str = "low",
) -> Channel:
    """Register a channel; e-mail channels need ``smtp_host`` (and may set port and sender)."""
    require_role(user, Role.admin, "Adding a notification channel")
    if kind not in KINDS:
        raise UsageError(f"channel kind {kind!r}: use one of {', '.join(KINDS)}")
    if min_severity not in SEVERITY_RANK:
        raise UsageError(f"min_severity {min_severity!r}: use low, medium or high")
    config = dict(config or {})
    if kind == "webhook" and not target.startswith(("http://", "https://")):
        raise UsageError(f"a webhook target must be an http(s) URL, got {target!r}")
    if kind == "email" and ("@" not in target or "smtp_host" not in config):
        raise UsageError("an email channel needs addresses as target and config.smtp_host")
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
    channels = session.scalars(select(Channel).where(Channel.enabled.is_(True)))
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


def send(channel: Channel, payload: dict[str, Any], timeout: float) -> str:
    """Deliver one payload on one channel; returns a short detail or raises on failure."""
    if channel.kind == "webhook":
        response = httpx.post(channel.target, json=payload, timeout=timeout)
        response.raise_for_status()
        return f"HTTP {response.status_code}"
    return _send_email(channel, payload, timeout)


def _send_email(channel: Channel, payload: dict[str, Any], timeout: float) -> str:
    alert = payload["alert"]
    message = EmailMessage()
    message["From"] = channel.config.get("sender", "vigil@localhost")
    message["To"] = channel.target
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
) -> list[DeliveryAttempt]:
    """Attempt every pending notification that is due; log each attempt; schedule retries."""
    policy = policy or RetryPolicy()
    with db.session(write=False) as session:
        due = list(
            session.scalars(
                select(Notification.id)
                .where(Notification.status == "pending", Notification.next_attempt_at <= now())
                .order_by(Notification.id)
                .limit(limit)
            )
        )
    attempts = (_attempt(db, note_id, now, policy) for note_id in due)
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
    db: Database, note_id: int, now: Callable[[], datetime], policy: RetryPolicy
) -> DeliveryAttempt | None:
    if not _claim(db, note_id, now, policy):
        return None
    with db.session(write=False) as session:
        note = session.get_one(Notification, note_id)
        channel = session.get_one(Channel, note.channel_id)
        payload = dict(note.payload)
    started = time.perf_counter()
    try:
        detail, ok = send(channel, payload, policy.timeout), True
    except (httpx.HTTPError, OSError, smtplib.SMTPException) as err:
        detail, ok = f"{type(err).__name__}: {err}", False
    took = int((time.perf_counter() - started) * 1000)
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
) -> int:
    """Keep delivering until nothing is pending (waiting out back-offs); returns attempts made."""
    made = 0
    while True:
        made += len(deliver_due(db, now=now, policy=policy))
        with db.session(write=False) as session:
            upcoming = session.scalar(
                select(Notification.next_attempt_at)
                .where(Notification.status == "pending")
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
