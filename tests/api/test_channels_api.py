"""Notification channels through the API and the command line: disable, delete, refuse bad
targets (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from clients import bearer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from vigil.cli.main import app as cli

DESK = {"name": "desk", "kind": "email", "target": "desk@example.org",
        "config": {"smtp_host": "mail.example.org"}}  # fmt: skip


def test_channels_are_disabled_and_deleted_through_the_api(
    client: TestClient, tokens: dict[tuple[str, str], str]
) -> None:
    admin = bearer(tokens[("admin", "confidential")])
    reviewer = bearer(tokens[("reviewer", "confidential")])
    made = client.post("/api/v1/channels", headers=admin, json=DESK)
    assert made.status_code == 201, made.text
    path = f"/api/v1/channels/{made.json()['id']}"
    assert client.patch(path, json={"enabled": False}, headers=reviewer).status_code == 403
    assert client.delete(path, headers=reviewer).status_code == 403
    off = client.patch(path, json={"enabled": False}, headers=admin)
    assert off.status_code == 200 and off.json()["enabled"] is False
    assert client.delete(path, headers=admin).status_code == 204
    assert client.get("/api/v1/channels", headers=admin).json() == []
    assert client.delete(path, headers=admin).status_code == 404
    again = client.post("/api/v1/channels", headers=admin, json=DESK)
    assert again.status_code == 201  # the name is free again


@pytest.mark.parametrize(
    "change",
    [{"target": "desk@example.org\r\nBcc: spy@evil.example"},
     {"kind": "webhook", "target": "http://127.0.0.1:8000/api/v1/users"},
     {"kind": "webhook", "target": "http://[::1]/"}],
    ids=["crlf-email", "loopback-webhook", "ipv6-loopback-webhook"],
)  # fmt: skip
def test_bad_channel_targets_are_refused_by_the_api(
    client: TestClient, tokens: dict[tuple[str, str], str], change: dict[str, str]
) -> None:
    admin = bearer(tokens[("admin", "confidential")])
    response = client.post("/api/v1/channels", headers=admin, json={**DESK, **change})
    assert response.status_code in (400, 422), response.text


def test_webhook_secret_needs_the_server_key(
    client: TestClient, tokens: dict[tuple[str, str], str]
) -> None:
    admin = bearer(tokens[("admin", "confidential")])
    hook = {"name": "ops", "kind": "webhook", "target": "https://hooks.example.org/vigil"}
    made = client.post("/api/v1/channels", headers=admin, json=hook).json()
    refused = client.get(f"/api/v1/channels/{made['id']}/secret", headers=admin)
    assert refused.status_code == 400 and "VIGIL_SECRET_KEY" in refused.text


def test_channels_are_added_disabled_and_deleted_from_the_command_line(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIL_DATABASE_URL", db_url)
    monkeypatch.setenv("VIGIL_SECRET_KEY", "cli server key")
    runner = CliRunner()
    added = runner.invoke(cli, ["alerts", "channels", "add", "ops", "--kind", "webhook",
                                "--target", "https://hooks.example.org/vigil"])  # fmt: skip
    assert added.exit_code == 0, added.output
    secret = runner.invoke(cli, ["alerts", "channels", "secret", "ops"])
    assert secret.exit_code == 0 and len(secret.output.strip()) == 64
    assert runner.invoke(cli, ["alerts", "channels", "disable", "ops"]).exit_code == 0
    assert " no " in runner.invoke(cli, ["alerts", "channels", "list"]).output
    deleted = runner.invoke(cli, ["alerts", "channels", "delete", "ops"])
    assert deleted.exit_code == 0 and "0 pending" in deleted.output
    assert "ops" not in runner.invoke(cli, ["alerts", "channels", "list"]).output
    refused = runner.invoke(cli, ["alerts", "channels", "add", "bad", "--kind", "email",
                                  "--target", "a@b.org\nBcc: c@d.org",
                                  "--config", '{"smtp_host": "m"}'])  # fmt: skip
    assert refused.exit_code == 1 and "line breaks" in refused.output
