"""Notifications: real webhook and SMTP servers, deduplication, back-off, every attempt logged."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

import pandas as pd
import pytest
from servers import Inbox, http_server, smtp_server
from sqlalchemy import select

from vigil.workspace import alerts
from vigil.workspace.database import Database
from vigil.workspace.notifications import (
    Notification,
    RetryPolicy,
    Sender,
    add_channel,
    attempts_for,
    deliver_all,
    deliver_due,
    enqueue,
)
from vigil.workspace.outbound import OutboundPolicy
from vigil.workspace.users import User

#: The loopback test servers are reachable only because this policy allows them.
LOCAL = OutboundPolicy.allowing(["127.0.0.1"], timeout=5.0)
SENDER = Sender(LOCAL, signing_key="test-server-key")


class Hook(BaseHTTPRequestHandler):
    """Answers 503 to the first ``failures`` posts, then 200; keeps every body."""

    failures = 0
    bodies: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).bodies.append(body)
        status = 503 if len(type(self).bodies) <= type(self).failures else 200
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, type[Hook]]]:
    handler = type("FreshHook", (Hook,), {"failures": 2, "bodies": []})
    with http_server(handler) as root:
        yield f"{root}/hook", handler


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    with smtp_server() as running:
        yield running


def _raise_alert(db: Database, admin: User) -> int:
    frame = pd.DataFrame(
        [
            {
                "country": "Myanmar",
                "iso3": "MMR",
                "ccode": 775,
                "base_year": 2024,
                "model": "ewp",
                "probability": 0.3,
                "rank": 1,
            }
        ]
    )
    with db.session() as session:
        alerts.add_rule(session, admin, "high", "forecast_threshold", {"threshold": 0.1})
        [alert] = alerts.evaluate_forecasts(session, admin, frame, None)
        return alert.id


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_a_failing_webhook_is_retried_with_back_off_and_every_attempt_is_logged(
    db: Database, people: dict[str, User], webhook: tuple[str, type[Hook]]
) -> None:
    url, hook = webhook
    with db.session() as session:
        add_channel(session, people["admin"], "ops", "webhook", url, policy=LOCAL)
    alert_id = _raise_alert(db, people["admin"])
    clock = Clock()
    policy = RetryPolicy(max_attempts=5, base_delay=timedelta(seconds=30), timeout=5)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.sleep(seconds)

    made = deliver_all(db, policy=policy, sleep=sleep, now=clock, sender=SENDER)
    with db.session(write=False) as session:
        note = session.scalars(select(Notification)).one()
        log = attempts_for(session, note.id)
    assert made == 3 and waits == [30.0, 60.0]
    assert [a.ok for a in log] == [False, False, True]
    assert "503" in log[0].detail and log[2].detail == "HTTP 200"
    assert note.status == "sent" and note.attempts == 3
    assert [b["alert"]["id"] for b in hook.bodies] == [alert_id] * 3


def test_delivery_gives_up_after_the_last_attempt(
    db: Database, people: dict[str, User], webhook: tuple[str, type[Hook]]
) -> None:
    url, hook = webhook
    hook.failures = 100
    with db.session() as session:
        add_channel(session, people["admin"], "ops", "webhook", url, policy=LOCAL)
    _raise_alert(db, people["admin"])
    clock = Clock()
    deliver_all(db, policy=RetryPolicy(max_attempts=3), sleep=clock.sleep, now=clock, sender=SENDER)
    with db.session(write=False) as session:
        note = session.scalars(select(Notification)).one()
        assert (note.status, note.attempts, len(attempts_for(session, note.id))) == ("failed", 3, 3)
    assert deliver_due(db, now=clock) == []


def test_email_goes_through_a_real_smtp_server_once(
    db: Database, people: dict[str, User], smtp: tuple[int, Inbox]
) -> None:
    port, inbox = smtp
    with db.session() as session:
        add_channel(
            session,
            people["admin"],
            "desk",
            "email",
            "desk@example.org",
            config={"smtp_host": "127.0.0.1", "smtp_port": port},
        )
    alert_id = _raise_alert(db, people["admin"])
    with db.session() as session:
        alert = alerts.get_alert(session, people["admin"], alert_id)
        assert enqueue(session, alert, "opened") == []
    deliver_all(db)
    [message] = inbox.messages
    assert message.rcpt_tos == ["desk@example.org"]
    assert b"Myanmar" in message.content and b"[Vigil medium]" in message.content


def test_unreachable_smtp_is_logged_as_a_failed_attempt(
    db: Database, people: dict[str, User]
) -> None:
    with db.session() as session:
        add_channel(
            session,
            people["admin"],
            "desk",
            "email",
            "desk@example.org",
            config={"smtp_host": "127.0.0.1", "smtp_port": 1},
        )
    _raise_alert(db, people["admin"])
    [attempt] = deliver_due(db, policy=RetryPolicy(timeout=2))
    assert not attempt.ok and "refused" in attempt.detail.lower()


def test_two_deliverers_at_once_send_each_notification_only_once(
    db: Database, people: dict[str, User], webhook: tuple[str, type[Hook]]
) -> None:
    url, hook = webhook
    hook.failures = 0
    with db.session() as session:
        add_channel(session, people["admin"], "ops", "webhook", url, policy=LOCAL)
    _raise_alert(db, people["admin"])
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(len(deliver_due(db, sender=SENDER))))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 0, 0, 1] and len(hook.bodies) == 1
