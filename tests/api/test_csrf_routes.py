"""Every state-changing API route refuses a cookie-authenticated request that cannot prove it
comes from Vigil's own pages, before doing anything (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from vigil.api import create_app
from vigil.settings import Settings
from vigil.workspace.database import open_database
from vigil.workspace.users import add_user, system_actor

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _writes() -> list[tuple[str, str]]:
    """Every documented write of the API, from its OpenAPI description."""
    paths = create_app(Settings(), migrate=False).openapi()["paths"]
    return sorted(
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/v1/")
        for method in operations
        if method.upper() in UNSAFE
    )


WRITES = _writes()


def test_the_route_list_covers_the_api() -> None:
    assert len(WRITES) >= 25
    assert ("DELETE", "/api/v1/users/{user_id}/tokens/{token_id}") in WRITES
    assert ("POST", "/api/v1/reports/upload") in WRITES


@pytest.mark.parametrize(
    "proof", [{}, {"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}],
    ids=["none", "foreign-origin", "cross-site"],
)  # fmt: skip
def test_every_cookie_authenticated_write_without_proof_answers_403(
    client: TestClient, db_url: str, proof: dict[str, str]
) -> None:
    db = open_database(db_url)
    with db.session() as session:
        add_user(session, system_actor, "root", role="admin", clearance="confidential",
                 password="admin password")  # fmt: skip
    db.dispose()
    signed = client.post("/login", data={"username": "root", "password": "admin password"},
                         follow_redirects=False)  # fmt: skip
    assert signed.status_code == 303
    answers = {}
    for method, path in WRITES:
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = client.request(method, url, json={}, headers=proof)
        answers[f"{method} {path}"] = response.status_code
    assert {k: v for k, v in answers.items() if v != 403} == {}
    assert client.get("/api/v1/users/me").json()["name"] == "root"  # still signed in
