"""API tokens are checked on every request: revoking or disabling takes effect at once."""

from __future__ import annotations

from clients import bearer
from fastapi.testclient import TestClient
from sqlalchemy import update

from vigil.workspace.database import open_database
from vigil.workspace.users import ApiToken, disable_user, system_actor


def test_a_user_disabled_elsewhere_is_refused_on_the_next_request(
    db_url: str, client: TestClient, tokens: dict[tuple[str, str], str]
) -> None:
    headers = bearer(tokens[("analyst", "public")])
    assert client.get("/api/v1/stats", headers=headers).status_code == 200
    db = open_database(db_url)  # as `vigil users disable` would, from another process
    with db.session() as session:
        disable_user(session, system_actor, "analyst-public")
    db.dispose()
    assert client.get("/api/v1/stats", headers=headers).status_code == 401
    assert (
        client.post("/api/v1/notes", json={"iso3": "MMR", "body": "x"}, headers=headers).status_code
        == 401
    )


def test_a_revoked_token_is_refused_on_the_next_request(
    db_url: str, client: TestClient, tokens: dict[tuple[str, str], str]
) -> None:
    headers = bearer(tokens[("viewer", "public")])
    assert client.get("/api/v1/reports", headers=headers).status_code == 200
    db = open_database(db_url)
    with db.session() as session:
        session.execute(update(ApiToken).values(revoked=True))
    db.dispose()
    assert client.get("/api/v1/reports", headers=headers).status_code == 401


def test_a_lowered_role_and_clearance_apply_to_the_next_request(
    client: TestClient, tokens: dict[tuple[str, str], str]
) -> None:
    admin = bearer(tokens[("admin", "confidential")])
    analyst = bearer(tokens[("analyst", "confidential")])
    secret = {"text": "confidential militia report", "confidentiality": "confidential"}
    created = client.post("/api/v1/reports?triage=false", json=secret, headers=analyst)
    assert created.status_code == 201
    report = created.json()["id"]
    assert client.get(f"/api/v1/reports/{report}", headers=analyst).status_code == 200
    users = {u["name"]: u["id"] for u in client.get("/api/v1/users", headers=admin).json()}
    change = {"role": "viewer", "clearance": "public"}
    path = f"/api/v1/users/{users['analyst-confidential']}"
    assert client.patch(path, json=change, headers=admin).status_code == 200
    assert client.get(f"/api/v1/reports/{report}", headers=analyst).status_code == 404
    assert client.get("/api/v1/reports", headers=analyst).json()["total"] == 0
    note = {"iso3": "MMR", "body": "after demotion"}
    assert client.post("/api/v1/notes", json=note, headers=analyst).status_code == 403
