"""Sign-in security over HTTP, on SQLite and PostgreSQL: server-side sessions that sign-out and
password changes end, expiring and one-by-one revocable tokens, throttled and audited sign-in,
the one-time admin password, CSRF on cookie-borne writes, and who may raise a clearance."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from clients import api_client, bearer, make_users
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from vigil.cli.main import app as cli
from vigil.workspace.audit import AuditEntry
from vigil.workspace.database import Database, open_database, utcnow
from vigil.workspace.sessions import UserSession
from vigil.workspace.users import ApiToken, User, add_user, system_actor

SITE = {"Origin": "http://testserver"}
PASSWORD = "correct horse battery"


@pytest.fixture
def web(db_url: str, vigil_home: Path) -> Iterator[TestClient]:
    """The API with a tight sign-in throttle (3 per name, 5 per address) and 7-day tokens."""
    with api_client(
        vigil_home,
        db_url,
        login_max_failures=3,
        login_max_failures_per_address=5,
        token_days=7,
    ) as client:
        yield client


@pytest.fixture
def database(db_url: str, web: TestClient) -> Iterator[Database]:
    db = open_database(db_url)
    yield db
    db.dispose()


def _person(db: Database, name: str, **options: object) -> None:
    with db.session() as session:
        add_user(session, system_actor, name, password=PASSWORD, **options)  # type: ignore[arg-type]


def _sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    response = client.post(
        "/login", data={"username": name, "password": password}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return str(response.cookies["vigil_session"])


def _fresh(client: TestClient, cookie: str) -> TestClient:
    """A second browser presenting ``cookie``."""
    other = TestClient(client.app)
    other.cookies.set("vigil_session", cookie)
    return other


def _actions(db: Database, action: str) -> list[AuditEntry]:
    with db.session(write=False) as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list(session.scalars(query))


def test_sign_out_ends_the_session_on_the_server(web: TestClient, database: Database) -> None:
    _person(database, "ana", role="analyst")
    cookie = _sign_in(web, "ana")
    copy = _fresh(web, cookie)
    assert copy.get("/api/v1/users/me").json()["name"] == "ana"
    web.post("/logout")
    assert copy.get("/api/v1/users/me").status_code == 401
    assert len(_actions(database, "logout")) == 1


def test_a_password_change_ends_every_session_of_the_user(
    web: TestClient, database: Database
) -> None:
    _person(database, "ana", role="analyst")
    elsewhere = _fresh(web, _sign_in(TestClient(web.app), "ana"))
    _sign_in(web, "ana")
    change = {"current": PASSWORD, "new": "a brand new phrase"}
    assert web.post("/api/v1/users/me/password", json=change, headers=SITE).status_code == 204
    assert elsewhere.get("/api/v1/users/me").status_code == 401
    assert web.get("/api/v1/users/me").json()["name"] == "ana"  # this browser signed in anew
    assert _sign_in(TestClient(web.app), "ana", "a brand new phrase")


def test_an_administrator_setting_a_password_ends_the_users_sessions(
    web: TestClient, database: Database, db_url: str
) -> None:
    tokens = make_users(db_url)
    _person(database, "ana", role="analyst")
    _sign_in(web, "ana")
    me = web.get("/api/v1/users/me").json()
    admin = bearer(tokens[("admin", "confidential")])
    patch = web.patch(f"/api/v1/users/{me['id']}", json={"password": "set by admin"}, headers=admin)
    assert patch.status_code == 200
    assert web.get("/api/v1/users/me").status_code == 401


def test_an_expired_session_is_refused(web: TestClient, database: Database) -> None:
    _person(database, "ana")
    _sign_in(web, "ana")
    with database.session() as session:
        session.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert web.get("/api/v1/users/me").status_code == 401


def test_api_tokens_expire_by_default_after_the_configured_days(
    web: TestClient, database: Database, db_url: str
) -> None:
    tokens = make_users(db_url)
    admin = bearer(tokens[("admin", "confidential")])
    users = {u["name"]: u["id"] for u in web.get("/api/v1/users", headers=admin).json()}
    issued = web.post(f"/api/v1/users/{users['viewer-public']}/tokens", json={}, headers=admin)
    assert issued.status_code == 201
    lifetime = issued.json()["expires_at"]
    assert str(utcnow() + timedelta(days=7))[:10] == lifetime[:10]
    token = bearer(issued.json()["token"])
    assert web.get("/api/v1/users/me", headers=token).status_code == 200
    with database.session() as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == issued.json()["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert web.get("/api/v1/users/me", headers=token).status_code == 401


def test_a_user_revokes_one_of_their_tokens_and_keeps_the_other(
    web: TestClient, db_url: str, database: Database
) -> None:
    tokens = make_users(db_url)
    admin = bearer(tokens[("admin", "confidential")])
    users = {u["name"]: u["id"] for u in web.get("/api/v1/users", headers=admin).json()}
    uid = users["analyst-public"]
    second = web.post(f"/api/v1/users/{uid}/tokens", json={"label": "laptop"}, headers=admin)
    first = bearer(tokens[("analyst", "public")])
    listed = web.get(f"/api/v1/users/{uid}/tokens", headers=first).json()
    assert [t["label"] for t in listed] == ["", "laptop"] and "token" not in listed[0]
    gone = web.delete(f"/api/v1/users/{uid}/tokens/{second.json()['id']}", headers=first)
    assert gone.status_code == 204
    assert web.get("/api/v1/users/me", headers=bearer(second.json()["token"])).status_code == 401
    assert web.get("/api/v1/users/me", headers=first).status_code == 200
    other = users["viewer-public"]
    refused = web.get(f"/api/v1/users/{other}/tokens", headers=first)
    assert refused.status_code == 403
    assert len(_actions(database, "revoke")) == 1


def test_vigil_users_revoke_refuses_the_token_at_the_next_request(
    web: TestClient, db_url: str, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = make_users(db_url)
    token = tokens[("reviewer", "restricted")]
    with database.session(write=False) as session:
        token_id = session.scalars(
            select(ApiToken.id).join(User).where(User.name == "reviewer-restricted")
        ).one()
    monkeypatch.setenv("VIGIL_DATABASE_URL", db_url)
    assert web.get("/api/v1/users/me", headers=bearer(token)).status_code == 200
    result = CliRunner().invoke(cli, ["users", "revoke", str(token_id)])
    assert result.exit_code == 0, result.output
    assert web.get("/api/v1/users/me", headers=bearer(token)).status_code == 401
    listing = CliRunner().invoke(cli, ["users", "tokens", "reviewer-restricted"])
    assert "yes" in listing.output


def test_sign_in_is_throttled_per_user_with_retry_after_and_failures_audited(
    web: TestClient, database: Database
) -> None:
    _person(database, "ana")
    wrong = {"username": "ana", "password": "not the password"}
    assert [web.post("/login", data=wrong).status_code for _ in range(3)] == [401] * 3
    blocked = web.post("/login", data={"username": "ana", "password": PASSWORD})
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 900
    failures = _actions(database, "login_failed")
    details = [entry.after or {} for entry in failures]
    assert len(details) == 4 and {d["name"] for d in details} == {"ana"}
    assert [d["reason"] for d in details] == ["wrong name or password"] * 3 + ["throttled"]
    _person(database, "bea")
    assert _sign_in(web, "bea")  # another user from the same address is not blocked yet


def test_sign_in_is_throttled_per_address_across_user_names(web: TestClient) -> None:
    codes = [
        web.post("/login", data={"username": f"guess{n}", "password": "x" * 8}).status_code
        for n in range(6)
    ]
    assert codes == [401] * 5 + [429]


def test_the_seeded_admin_must_change_the_one_time_password_first(
    web: TestClient, database: Database
) -> None:
    from vigil.web.seed import _admin

    password = _admin(database)
    assert password is not None
    response = web.post(
        "/login",
        data={"username": "admin", "password": password, "next": "/alerts"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/password?next=/alerts"
    refused = web.get("/api/v1/users/me")
    assert refused.status_code == 403 and "one-time password" in refused.text
    change = {"current": password, "new": "my own admin phrase"}
    assert web.post("/api/v1/users/me/password", json=change, headers=SITE).status_code == 204
    assert web.get("/api/v1/users/me").json()["name"] == "admin"
    again = {"current": "my own admin phrase", "new": "my own admin phrase"}
    assert web.post("/api/v1/users/me/password", json=again, headers=SITE).status_code == 400


@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": "http://evil.example"}, {"Referer": "http://evil.example/page"},
     {"Origin": "http://testserver", "Sec-Fetch-Site": "cross-site"}, {"X-CSRF-Token": "forged"}],
    ids=["no-origin", "foreign-origin", "foreign-referer", "cross-site-fetch", "wrong-token"],
)  # fmt: skip
def test_cookie_authenticated_api_writes_need_csrf_proof(
    web: TestClient, database: Database, headers: dict[str, str]
) -> None:
    _person(database, "ana", role="analyst")
    _sign_in(web, "ana")
    note = web.post("/api/v1/notes", json={"iso3": "MMR", "body": "x"}, headers=headers)
    assert note.status_code == 403, note.text
    upload = web.post(
        "/api/v1/reports/upload",
        files={"file": ("r.txt", b"Witnesses in Sudan reported attacks.", "text/plain")},
        headers=headers,
    )
    assert upload.status_code == 403


def test_cookie_authenticated_api_writes_pass_with_origin_or_token(
    web: TestClient, database: Database
) -> None:
    from vigil.api.security import csrf_token

    _person(database, "ana", role="analyst")
    _sign_in(web, "ana")
    body = {"iso3": "MMR", "body": "same origin"}
    assert web.post("/api/v1/notes", json=body, headers=SITE).status_code == 201
    referer = {"Referer": "http://testserver/alerts"}
    assert web.post("/api/v1/notes", json=body, headers=referer).status_code == 201
    page = SimpleNamespace(cookies={"vigil_session": web.cookies["vigil_session"]}, app=web.app)
    token = {"X-CSRF-Token": csrf_token(page)}  # type: ignore[arg-type]
    upload = web.post(
        "/api/v1/reports/upload?triage=false",
        files={"file": ("r.txt", b"Witnesses in Sudan reported attacks.", "text/plain")},
        headers=token,
    )
    assert upload.status_code == 201, upload.text


def test_login_refuses_a_cross_site_post(web: TestClient, database: Database) -> None:
    _person(database, "ana")
    form = {"username": "ana", "password": PASSWORD}
    for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        response = web.post("/login", data=form, headers=headers, follow_redirects=False)
        assert response.status_code == 403 and "vigil_session" not in response.cookies
    assert web.post("/login", data=form, headers=SITE, follow_redirects=False).status_code == 303


def test_an_admin_cannot_raise_their_own_clearance_and_the_refusal_is_audited(
    web: TestClient, db_url: str, database: Database
) -> None:
    tokens = make_users(db_url)
    public_admin = bearer(tokens[("admin", "public")])
    users = {u["name"]: u["id"] for u in web.get("/api/v1/users", headers=public_admin).json()}
    own = f"/api/v1/users/{users['admin-public']}"
    raised = web.patch(own, json={"clearance": "confidential"}, headers=public_admin)
    assert raised.status_code == 403 and "another administrator" in raised.text
    assert web.get("/api/v1/users/me", headers=public_admin).json()["clearance"] == "public"
    [refusal] = _actions(database, "refused")
    assert refusal.actor == "admin-public" and refusal.entity_id == str(users["admin-public"])
    other = bearer(tokens[("admin", "confidential")])
    assert web.patch(own, json={"clearance": "restricted"}, headers=other).status_code == 200
    assert web.get("/api/v1/users/me", headers=public_admin).json()["clearance"] == "restricted"


def test_an_admin_grants_no_more_than_they_hold(web: TestClient, db_url: str) -> None:
    tokens = make_users(db_url)
    public_admin = bearer(tokens[("admin", "public")])
    users = {u["name"]: u["id"] for u in web.get("/api/v1/users", headers=public_admin).json()}
    new = {"name": "sock-puppet", "role": "admin", "clearance": "confidential"}
    assert web.post("/api/v1/users", json=new, headers=public_admin).status_code == 403
    target = users["viewer-confidential"]
    token = web.post(f"/api/v1/users/{target}/tokens", json={}, headers=public_admin)
    assert token.status_code == 403
    password = {"password": "taken over"}
    assert (
        web.patch(f"/api/v1/users/{target}", json=password, headers=public_admin).status_code == 403
    )


def test_an_admin_ends_every_session_of_a_user(
    web: TestClient, db_url: str, database: Database
) -> None:
    tokens = make_users(db_url)
    _person(database, "ana", role="analyst")
    _sign_in(web, "ana")
    me = web.get("/api/v1/users/me").json()
    admin = bearer(tokens[("admin", "confidential")])
    assert web.delete(f"/api/v1/users/{me['id']}/sessions", headers=admin).status_code == 204
    assert web.get("/api/v1/users/me").status_code == 401
    [ended] = _actions(database, "end_sessions")
    assert ended.actor == "admin-confidential" and ended.after == {"ended": 1}


def test_failures_that_left_the_window_are_dropped(web: TestClient, database: Database) -> None:
    from vigil.workspace.sessions import LoginFailure

    wrong = {"username": "nobody", "password": "not the password"}
    assert [web.post("/login", data=wrong).status_code for _ in range(2)] == [401, 401]
    with database.session() as session:
        session.execute(update(LoginFailure).values(at=utcnow() - timedelta(hours=1)))
    assert web.post("/login", data=wrong).status_code == 401
    with database.session(write=False) as session:
        assert len(session.scalars(select(LoginFailure)).all()) == 1
    assert len(_actions(database, "login_failed")) == 3  # the audit log keeps every one
