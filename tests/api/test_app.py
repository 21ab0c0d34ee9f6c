"""The API application: one error shape, authentication, sessions, pagination, forecasts."""

from __future__ import annotations

from pathlib import Path

import pytest
from clients import bearer
from fastapi import APIRouter
from fastapi.testclient import TestClient

from vigil.api import create_app
from vigil.settings import Settings
from vigil.workspace.database import open_database
from vigil.workspace.users import add_user, system_actor


def test_the_spec_is_served_and_lists_the_resources(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/v1/reports",
        "/api/v1/assessments",
        "/api/v1/alerts",
        "/api/v1/actions",
        "/api/v1/users",
        "/api/v1/forecasts",
        "/api/v1/audit",
        "/login",
    ):
        assert path in spec["paths"]
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/nowhere"),
        ("get", "/api/v1/reports/1"),
        ("post", "/api/v1/reports"),
        ("get", "/api/v1/reports?limit=0"),
    ],
)
def test_every_error_has_the_same_shape(
    client: TestClient, tokens: dict[tuple[str, str], str], method: str, path: str
) -> None:
    response = client.request(method, path, headers=bearer(tokens[("analyst", "public")]), json={})
    body = response.json()
    assert response.status_code >= 400
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == response.status_code


def test_unauthenticated_writes_answer_401_and_a_bad_token_too(client: TestClient) -> None:
    response = client.post("/api/v1/notes", json={"iso3": "MMR", "body": "x"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"
    bad = client.post("/api/v1/notes", json={"iso3": "MMR", "body": "x"}, headers=bearer("vgl_x"))
    assert bad.status_code == 401


def test_web_login_sets_a_session_cookie_that_authenticates(
    client: TestClient, db_url: str
) -> None:
    db = open_database(db_url)
    with db.session() as session:
        add_user(session, system_actor, "ana", role="analyst", password="s3cret-words")
    refused = client.post("/login", data={"username": "ana", "password": "nope-nope"})
    assert refused.status_code == 401
    response = client.post(
        "/login",
        data={"username": "ana", "password": "s3cret-words", "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert client.get("/api/v1/users/me").json()["name"] == "ana"
    client.post("/logout")
    assert client.get("/api/v1/users/me").status_code == 401


def test_lists_are_paginated_with_totals(
    client: TestClient, tokens: dict[tuple[str, str], str]
) -> None:
    auth = bearer(tokens[("analyst", "public")])
    for n in range(5):
        assert (
            client.post(
                "/api/v1/notes", headers=auth, json={"iso3": "MMR", "body": f"note {n}"}
            ).status_code
            == 201
        )
    page = client.get("/api/v1/notes?limit=2&offset=1", headers=auth).json()
    assert page["total"] == 5 and [n["body"] for n in page["items"]] == ["note 3", "note 2"]


def test_a_stale_assessment_edit_answers_409(
    client: TestClient, tokens: dict[tuple[str, str], str]
) -> None:
    auth = bearer(tokens[("analyst", "public")])
    created = client.post(
        "/api/v1/assessments", headers=auth, json={"iso3": "MMR", "assessed_on": "2025-01-01"}
    ).json()
    edit = {"version": 1, "ratings": [{"indicator_id": "RF1.1", "rating": "present"}]}
    first = client.patch(f"/api/v1/assessments/{created['id']}", headers=auth, json=edit)
    second = client.patch(f"/api/v1/assessments/{created['id']}", headers=auth, json=edit)
    assert first.status_code == 200 and first.json()["version"] == 2
    assert second.status_code == 409 and second.json()["error"]["code"] == "conflict"


def test_reports_are_triaged_on_intake_and_duplicates_refused(
    client: TestClient, tokens: dict[tuple[str, str], str]
) -> None:
    auth = bearer(tokens[("analyst", "public")])
    text = (
        "Soldiers in Myanmar burned villages in Rakhine and officials called the Rohingya "
        "a threat; thousands fled across the border."
    )
    created = client.post("/api/v1/reports", headers=auth, json={"title": "t", "text": text})
    assert created.status_code == 201
    body = created.json()
    assert "MMR" in body["countries"] and len(body["triage"]["factors"]) == 5
    again = client.post("/api/v1/reports", headers=auth, json={"title": "t", "text": text})
    assert again.status_code == 409 and f"report {body['id']}" in again.json()["error"]["message"]
    label = client.post(
        f"/api/v1/reports/{body['id']}/labels",
        headers=auth,
        json={"factor_id": "RF9", "verdict": "corrected"},
    )
    assert label.status_code == 201


def test_extra_routers_are_mounted_and_may_take_over_the_root(tmp_path: Path) -> None:
    pages = APIRouter()
    pages.add_api_route("/", lambda: {"page": "home"}, methods=["GET"])
    app = create_app(Settings(home=tmp_path), extra_routers=[pages])
    with TestClient(app) as client:
        assert client.get("/").json() == {"page": "home"}


@pytest.mark.slow
def test_forecasts_are_served_ranked_with_provenance(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(home=tmp_path))) as client:
        body = client.get("/api/v1/forecasts?base_year=2024&limit=3").json()
    assert body["total"] >= 160 and [r["rank"] for r in body["items"]] == [1, 2, 3]
    assert body["provenance"]["data_sha256"] and body["provenance"]["vigil_version"]


@pytest.mark.slow
def test_event_statistics_and_signals_come_from_the_event_store(tmp_path: Path) -> None:
    from vigil.data import bundled
    from vigil.events.ingest import ingest
    from vigil.events.store import EventStore

    settings = Settings(home=tmp_path)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/events/stats").json()["events"] == 0
        ingest(
            EventStore.from_settings(settings),
            [bundled("events/ged231-sample-1000.csv.gz")],
            "ucdp-ged",
        )
        stats = client.get("/api/v1/events/stats").json()
        page = client.get("/api/v1/signals?limit=5").json()
    assert stats["events"] > 0 and "ucdp-ged" in stats["by_source"]
    assert page["total"] >= len(page["items"])
    assert all(set(s) >= {"iso3", "month", "signal", "severity"} for s in page["items"])


def test_from_assessment_to_alert_to_action_through_the_api(
    client: TestClient, tokens: dict[tuple[str, str], str]
) -> None:
    admin, analyst = (bearer(tokens[(r, "confidential")]) for r in ("admin", "analyst"))
    rule = {"name": "factor present", "kind": "assessment_factor", "params": {"level": "present"}}
    assert client.post("/api/v1/alert-rules", headers=admin, json=rule).status_code == 201
    made = client.post(
        "/api/v1/assessments",
        headers=analyst,
        json={
            "iso3": "SDN",
            "assessed_on": "2025-03-01",
            "ratings": [
                {
                    "indicator_id": "RF1.1",
                    "rating": "present",
                    "evidence": [{"kind": "url", "ref": "http://example.org/r"}],
                }
            ],
        },
    ).json()
    submitted = client.post(
        f"/api/v1/assessments/{made['id']}/status",
        headers=analyst,
        json={"version": 1, "status": "submitted"},
    ).json()
    [alert_id] = submitted["alerts_raised"]
    action = client.post(
        "/api/v1/actions",
        headers=analyst,
        json={
            "iso3": "SDN",
            "type": "early_warning_notice",
            "actor": "Office of the Special Adviser",
            "title": "Note to the Secretary-General",
            "started_on": submitted["created_at"][:10],
            "alert_ids": [alert_id],
            "assessment_ids": [made["id"]],
        },
    )
    assert action.status_code == 201, action.text
    alert = client.get(f"/api/v1/alerts/{alert_id}", headers=analyst).json()
    report = client.get("/api/v1/responses/report?iso3=SDN", headers=analyst).json()
    assert alert["state"] == "action_taken"
    [situation] = report["situations"]
    assert situation["days_to_first_action"] == 0 and situation["alerts_without_action"] == []
