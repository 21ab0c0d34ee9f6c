"""Notification channels: targets checked at creation, one failing channel never stops the
others, channels disabled and deleted, webhooks signed with HMAC-SHA256
under the outbound address policy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

import pandas as pd
import pytest
from servers import Inbox, http_server, smtp_server
from sqlalchemy import inspect, select

from vigil.errors import DataError, UsageError
from vigil.workspace import alerts
from vigil.workspace.channels import (
    Channel,
    add_channel,
    channel_secret,
    delete_channel,
    get_channel,
    list_channels,
    set_enabled,
    verify,
)
from vigil.workspace.database import Database
from vigil.workspace.notifications import (
    Notification,
    RetryPolicy,
    Sender,
    attempts_for,
    deliver_all,
    deliver_due,
)
from vigil.workspace.outbound import OutboundPolicy
from vigil.workspace.users import User

LOCAL = OutboundPolicy.allowing(["127.0.0.1"], timeout=5.0)
KEY = "server key for the tests"
SENDER = Sender(LOCAL, signing_key=KEY)


class Hook(BaseHTTPRequestHandler):
    """Keeps every body with its headers; answers ``status``."""

    status = 200
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        if type(self).status in (301, 302, 307, 308):
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[tuple[str, type[Hook]]]:
    handler = type("FreshHook", (Hook,), {"received": [], "status": 200})
    with http_server(handler) as root:
        yield f"{root}/hook", handler


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    with smtp_server() as running:
        yield running


def _raise_alert(db: Database, admin: User, iso3: str = "MMR") -> int:
    frame = pd.DataFrame(
        [{"country": iso3, "iso3": iso3, "ccode": 775, "base_year": 2024, "model": "ewp",
          "probability": 0.3, "rank": 1}]
    )  # fmt: skip
    with db.session() as session:
        if not alerts.list_rules(session):
            alerts.add_rule(session, admin, "high", "forecast_threshold", {"threshold": 0.1})
        [alert] = alerts.evaluate_forecasts(session, admin, frame, None)
        return alert.id


def _smtp_config(port: int) -> dict[str, Any]:
    return {"smtp_host": "127.0.0.1", "smtp_port": port}


@pytest.mark.parametrize(
    ("target", "config"),
    [
        ("desk@example.org\r\nBcc: spy@evil.example", {"smtp_host": "mail"}),
        ("desk@example.org\nSubject: forged", {"smtp_host": "mail"}),
        ("not-an-address", {"smtp_host": "mail"}),
        ("desk@localhost", {"smtp_host": "mail"}),
        ("desk@example.org", {}),
        ("desk@example.org", {"smtp_host": "mail\r\nx"}),
        ("desk@example.org", {"smtp_host": "mail", "sender": "a@b.org\r\nBcc: c@d.org"}),
        ("desk@example.org", {"smtp_host": "mail", "smtp_port": 70000}),
    ],
)
def test_bad_email_targets_are_refused_at_creation(
    db: Database, people: dict[str, User], target: str, config: dict[str, Any]
) -> None:
    with db.session() as session, pytest.raises(UsageError):
        add_channel(session, people["admin"], "desk", "email", target, config=config)


@pytest.mark.parametrize(
    "target", ["http://127.0.0.1:9/hook", "http://169.254.169.254/", "file:///etc/passwd", "x"]
)
def test_webhooks_to_internal_or_odd_addresses_are_refused_at_creation(
    db: Database, people: dict[str, User], target: str
) -> None:
    with db.session() as session, pytest.raises(DataError):
        add_channel(session, people["admin"], "ops", "webhook", target)


def test_a_broken_channel_records_a_failed_attempt_and_the_others_are_delivered(
    db: Database, people: dict[str, User], smtp: tuple[int, Inbox], hook: tuple[str, type[Hook]]
) -> None:
    port, inbox = smtp
    url, handler = hook
    with db.session() as session:  # a target stored before targets were checked
        session.add(Channel(name="broken", kind="email", config=_smtp_config(port),
                            target="desk@example.org\r\nBcc: spy@evil.example"))  # fmt: skip
        add_channel(session, people["admin"], "desk", "email", "desk@example.org",
                    config=_smtp_config(port))  # fmt: skip
        add_channel(session, people["admin"], "ops", "webhook", url, policy=LOCAL)
    _raise_alert(db, people["admin"])
    first = deliver_due(db, sender=SENDER, policy=RetryPolicy(max_attempts=1))
    assert sorted(a.ok for a in first) == [False, True, True]
    [failed] = [a for a in first if not a.ok]
    assert "line" in failed.detail.lower() or "control" in failed.detail.lower()
    assert [m.rcpt_tos for m in inbox.messages] == [["desk@example.org"]]
    assert len(handler.received) == 1
    with db.session(write=False) as session:
        statuses = sorted(n.status for n in session.scalars(select(Notification)))
    assert statuses == ["failed", "sent", "sent"]


def test_webhook_payloads_are_signed_with_the_channels_derived_secret(
    db: Database, people: dict[str, User], hook: tuple[str, type[Hook]]
) -> None:
    url, handler = hook
    with db.session() as session:
        channel = add_channel(session, people["admin"], "ops", "webhook", url, policy=LOCAL)
        other = add_channel(session, people["admin"], "ops2", "webhook", url, policy=LOCAL)
        secret, other_secret = channel_secret(KEY, channel), channel_secret(KEY, other)
        channel_id = channel.id
    _raise_alert(db, people["admin"])
    deliver_all(db, sender=SENDER)
    assert len(handler.received) == 2
    by_secret = {}
    for headers, body in handler.received:
        stamp, signed = headers["X-Vigil-Timestamp"], headers["X-Vigil-Signature"]
        assert signed.startswith("sha256=")
        assert abs(int(stamp) - datetime.now(UTC).timestamp()) < 60
        matches = [s for s in (secret, other_secret) if verify(s, stamp, body, signed)]
        assert len(matches) == 1 and not verify(matches[0], stamp, body + b" ", signed)
        by_secret[matches[0]] = json.loads(body)
    assert set(by_secret) == {secret, other_secret} and secret != other_secret
    assert channel_secret("another server key", channel) != secret
    with db.session(write=False) as session:  # the secret is derived, never stored
        row = session.get_one(Channel, channel_id)
        stored = json.dumps([str(getattr(row, a.key)) for a in inspect(Channel).column_attrs])
    assert secret not in stored and KEY not in stored


def test_webhooks_are_not_sent_unsigned_to_refused_addresses_or_through_redirects(
    db: Database, people: dict[str, User], hook: tuple[str, type[Hook]]
) -> None:
    url, handler = hook
    with db.session() as session:
        add_channel(session, people["admin"], "ops", "webhook", url, policy=LOCAL)
    _raise_alert(db, people["admin"])
    once = RetryPolicy(max_attempts=1)
    [unsigned] = deliver_due(db, sender=Sender(LOCAL, signing_key=None), policy=once)
    assert "VIGIL_SECRET_KEY" in unsigned.detail
    _raise_alert(db, people["admin"], "SDN")
    [refused] = deliver_due(db, sender=Sender(OutboundPolicy(), KEY), policy=once)
    assert "loopback" in refused.detail and handler.received == []
    handler.status = 307
    _raise_alert(db, people["admin"], "TCD")
    [redirected] = deliver_due(db, sender=SENDER, policy=once)
    assert not redirected.ok and "307" in redirected.detail and len(handler.received) == 1


def test_a_disabled_channel_holds_its_messages_until_enabled(
    db: Database, people: dict[str, User], hook: tuple[str, type[Hook]]
) -> None:
    url, handler = hook
    with db.session() as session:
        channel = add_channel(session, people["admin"], "ops", "webhook", url, policy=LOCAL)
    _raise_alert(db, people["admin"])
    with db.session() as session:
        set_enabled(session, people["admin"], get_channel(session, "ops"), False)
    assert deliver_all(db, sender=SENDER) == 0 and handler.received == []
    _raise_alert(db, people["admin"], "SDN")  # nothing new is queued on a disabled channel
    with db.session() as session:
        set_enabled(session, people["admin"], get_channel(session, channel.id), True)
    assert deliver_all(db, sender=SENDER) == 1 and len(handler.received) == 1


def test_a_deleted_channel_cancels_its_pending_messages_and_keeps_its_history(
    db: Database, people: dict[str, User], hook: tuple[str, type[Hook]]
) -> None:
    url, handler = hook
    handler.status = 503
    with db.session() as session:
        add_channel(session, people["admin"], "ops", "webhook", url, policy=LOCAL)
    _raise_alert(db, people["admin"])
    [failed] = deliver_due(db, sender=SENDER)
    with db.session() as session:
        assert delete_channel(session, people["admin"], get_channel(session, "ops")) == 1
    with db.session(write=False) as session:
        note = session.scalars(select(Notification)).one()
        assert note.status == "cancelled" and len(attempts_for(session, note.id)) == 1
        assert list_channels(session) == []
    clock = datetime.now(UTC) + timedelta(hours=1)
    assert deliver_due(db, sender=SENDER, now=lambda: clock) == []
    with db.session() as session:  # the name is free again
        add_channel(session, people["admin"], "ops", "webhook", url, policy=LOCAL)
    assert not failed.ok
