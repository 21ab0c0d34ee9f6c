"""A scan of the whole running application (API and pages), driven by its own route table.

Every route answers with the security headers, whoever asks; no page carries inline script, an
event-handler attribute or a ``javascript:`` link; answers that may hold a signed-in user's data
are never cached; every state-changing page route refuses a signed-in browser's request that
lacks the form's CSRF token. New routes are scanned without editing this file.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest
from fastapi import FastAPI, routing
from fastapi.testclient import TestClient
from workspace_databases import backends, database_url

from vigil.api import create_app
from vigil.api.headers import ALWAYS
from vigil.settings import Settings
from vigil.web import routers
from vigil.workspace.database import open_database
from vigil.workspace.reports import Report
from vigil.workspace.users import add_user, issue_token, system_actor

PASSWORD = "correct horse battery"
#: Sample values for path parameters, by name (anything else: 1).
PATH_VALUES = {"iso3": "MMR", "name": "vigil.css"}
#: Sample form values for page forms, so that only the CSRF token can be what is wrong.
FORM_VALUES = {
    "version": "1", "iso3": "MMR", "assessed_on": "2025-01-01", "type": "mediation",
    "actor": "AU", "title": "scan", "started_on": "2025-01-01", "status": "planned",
    "confidentiality": "public", "summary": "", "q": "", "source": "",
    "current": "x", "new": "a-new-passphrase", "repeat": "a-new-passphrase",
    "factor_id": "RF1", "verdict": "confirmed",
}  # fmt: skip
#: Sign-in and sign-out take no CSRF token (there is no session to bind one to yet); their
#: cross-site protection is the Origin check and the SameSite=Lax cookie.
SIGN_IN_ROUTES = {"/login", "/signin", "/logout"}
SHARED = ("/static/", "/geo/")


@dataclass
class Site:
    app: FastAPI
    client: TestClient
    cookie: str
    token: str

    def as_browser(self) -> dict[str, str]:
        return {"Cookie": f"vigil_session={self.cookie}"}


@pytest.fixture(scope="module", params=backends())
def site(
    request: pytest.FixtureRequest,
    site_settings: Settings,
    snapshot: object,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Site]:
    """The whole application (API and pages) on each backend, and an analyst signed in."""
    home = tmp_path_factory.mktemp("scan")
    (home / "web").mkdir()
    for cached in (site_settings.home / "web").glob("snapshot-*.json"):
        shutil.copy(cached, home / "web" / cached.name)
    with database_url(request.param, home) as url:
        app = create_app(Settings(home=home, database_url=url), extra_routers=routers())
        with TestClient(app) as client:
            db = open_database(url)
            with db.session() as session:
                user = add_user(session, system_actor, "scanner", role="analyst",
                                clearance="confidential", password=PASSWORD)  # fmt: skip
                token = issue_token(session, system_actor, user)
            db.dispose()
            signed = client.post(
                "/login",
                data={"username": "scanner", "password": PASSWORD, "next": "/alerts"},
                headers={"Origin": "http://testserver"},
                follow_redirects=False,
            )
            assert signed.status_code == 303, signed.text
            cookie = signed.cookies["vigil_session"]
            client.cookies.clear()
            yield Site(app, client, cookie, token)


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: PATH_VALUES.get(m.group(1), "1"), path)


def _routes(app: FastAPI, methods: set[str]) -> list[tuple[str, str]]:
    """(method, path template) of every route of the app answering one of ``methods``,
    routers included in routers too."""
    found = set()
    for context in routing.iter_route_contexts(app.routes):
        allowed = getattr(context.original_route, "methods", None) or set()
        if context.path:
            found.update((method, context.path) for method in allowed & methods)
    return sorted(found)


def _callers(site: Site) -> dict[str, dict[str, str]]:
    return {
        "anonymous": {},
        "token": {"Authorization": f"Bearer {site.token}"},
        "browser": site.as_browser(),
    }


def _check_headers(path: str, who: str, response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in ALWAYS.items():
        if name == "Content-Security-Policy":
            policy = headers.get(name, "")
            assert "frame-ancestors 'none'" in policy, (path, who)
            assert "'unsafe-inline'" not in _directive(policy, "script-src"), (path, who)
            assert "default-src" in policy, (path, who)
        else:
            assert headers.get(name) == value, (path, who, name)
    private = path.startswith("/api/") or (who != "anonymous" and not path.startswith(SHARED))
    if private:
        assert headers.get("cache-control") == "no-store", (path, who)


def _directive(policy: str, name: str) -> str:
    for part in policy.split(";"):
        if part.strip().startswith(name + " "):
            return part
    return _directive(policy, "default-src") if name != "default-src" else ""


def _check_page(path: str, body: str) -> None:
    """No inline script, no event-handler attribute, no script link anywhere in the page."""
    root = lxml.html.fromstring(body)
    for script in root.iter("script"):
        assert script.get("src") or script.get("type") == "application/json", (path, script)
    for element in root.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (path, name)
            assert not value.strip().lower().startswith("javascript:"), (path, name, value)


def test_every_answer_carries_the_security_headers(site: Site) -> None:
    scanned = 0
    for _, template in _routes(site.app, {"GET"}):
        path = _concrete(template)
        if path.endswith(".pdf"):  # the PDF renderer is slow; its headers match the HTML brief
            continue
        for who, headers in _callers(site).items():
            response = site.client.get(path, headers=headers, follow_redirects=False)
            _check_headers(path, who, response)
            if response.headers.get("content-type", "").startswith("text/html"):
                _check_page(path, response.text)
            scanned += 1
    assert scanned > 60


def test_errors_and_refusals_carry_the_security_headers_too(site: Site) -> None:
    token = {"Authorization": f"Bearer {site.token}"}
    for who, path, headers in (
        ("token", "/api/v1/reports/999999", token),
        ("token", "/api/v1/reports", {"Authorization": "Bearer not-a-token"}),
        ("anonymous", "/no/such/page", {}),
        ("anonymous", "/alerts", {}),
        ("browser", "/assessments/999999", site.as_browser()),
    ):
        response = site.client.get(path, headers=headers, follow_redirects=False)
        assert response.status_code in (303, 401, 404), (path, response.status_code)
        _check_headers(path, who, response)


def test_every_state_changing_page_refuses_a_request_without_the_csrf_token(site: Site) -> None:
    writes = [
        (method, template)
        for method, template in _routes(site.app, {"POST", "PUT", "PATCH", "DELETE"})
        if not template.startswith("/api/") and template not in SIGN_IN_ROUTES
    ]
    assert len(writes) >= 4
    for method, template in writes:
        path = _concrete(template)
        for token in ({}, {"csrf": "0" * 32}):
            response = site.client.request(
                method,
                path,
                headers={**site.as_browser(), "Origin": "http://testserver"},
                data={**FORM_VALUES, **token},
                files={"file": ("scan.txt", b"a scanned upload", "text/plain")},
                follow_redirects=False,
            )
            assert response.status_code in (403, 422), (method, path, token, response.text)
            if token:
                assert response.status_code == 403, (method, path, response.text)


def test_a_stored_script_link_is_never_rendered(site: Site) -> None:
    from vigil.workspace.duplicates import fingerprint, minhash, signature_to_bytes

    db = site.app.state.db
    with db.session() as session:
        text = "an old report kept from before links were checked"
        row = Report(title="old", text=text, url="javascript:alert(document.domain)",
                     confidentiality="public", fingerprint=fingerprint(text),
                     signature=signature_to_bytes(minhash(text)), created_by="scanner")  # fmt: skip
        session.add(row)
        session.flush()
        report_id = row.id
    page = site.client.get(f"/reports/{report_id}", headers=site.as_browser())
    assert page.status_code == 200
    assert "javascript:" not in page.text
    _check_page(f"/reports/{report_id}", page.text)
    refused = site.client.post(
        "/api/v1/reports?triage=false",
        headers={"Authorization": f"Bearer {site.token}"},
        json={"text": "a new story", "url": "javascript:alert(1)"},
    )
    assert refused.status_code == 400
    assert "only http" in refused.json()["error"]["message"]


def test_the_editor_refuses_an_over_long_note_and_keeps_unshown_evidence(site: Site) -> None:
    from vigil.workspace.assessments import MAX_NOTE

    auth = {"Authorization": f"Bearer {site.token}"}
    evidence = [{"kind": "url", "ref": "https://example.org/w", "note": ""}]
    made = site.client.post(
        "/api/v1/assessments",
        headers=auth,
        json={"iso3": "SDN", "assessed_on": "2025-01-01", "summary": "kept",
              "ratings": [{"indicator_id": "RF1.1", "rating": "present", "evidence": evidence}]},
    ).json()  # fmt: skip
    editor = site.client.get(f"/assessments/{made['id']}", headers=site.as_browser())
    root = lxml.html.fromstring(editor.text)
    [form] = [f for f in root.forms if f.action.endswith(f"/assessments/{made['id']}")]
    fields = dict(form.form_values())
    for long_note in ("x" * (MAX_NOTE + 1), None):
        sent = {**fields, "note:RF1.1": long_note} if long_note else fields
        saved = site.client.post(f"/assessments/{made['id']}", data=sent,
                                 headers=site.as_browser(), follow_redirects=False)  # fmt: skip
        assert saved.status_code == 303
        notice = saved.headers["location"]
        assert ("Not+saved" in notice or "Not%20saved" in notice) is bool(long_note), notice
    after = site.client.get(f"/api/v1/assessments/{made['id']}", headers=auth).json()
    [rating] = [r for r in after["ratings"] if r["indicator_id"] == "RF1.1"]
    assert rating["evidence"] == evidence and rating["note"] == ""
    assert after["version"] == 2 and after["summary"] == "kept"


def test_the_page_scan_would_catch_an_inline_script() -> None:
    with pytest.raises(AssertionError):
        _check_page("/x", "<html><body><script>alert(1)</script></body></html>")
    with pytest.raises(AssertionError):
        _check_page("/x", '<html><body><a href="javascript:alert(1)">x</a></body></html>')
    with pytest.raises(AssertionError):
        _check_page("/x", '<html><body><img src="x" onerror="alert(1)"></body></html>')
    _check_page("/x", '<html><body><script type="application/json">{}</script></body></html>')


def test_the_helpers_see_the_paths_they_are_given(tmp_path: Path) -> None:
    assert _concrete("/countries/{iso3}/brief") == "/countries/MMR/brief"
    assert _concrete("/static/{name:path}") == "/static/vigil.css"
    assert _concrete("/api/v1/reports/{report_id}") == "/api/v1/reports/1"


def test_every_api_write_riding_on_the_cookie_refuses_a_cross_site_origin(site: Site) -> None:
    writes = [
        (method, template)
        for method, template in _routes(site.app, {"POST", "PUT", "PATCH", "DELETE"})
        if template.startswith("/api/")
    ]
    assert len(writes) >= 10
    for method, template in writes:
        path = _concrete(template)
        response = site.client.request(
            method,
            path,
            headers={**site.as_browser(), "Origin": "https://elsewhere.example"},
            json={},
            follow_redirects=False,
        )
        assert response.status_code == 403, (method, path, response.text)
