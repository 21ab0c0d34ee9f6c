"""The pages over HTTP (in process): filters, CSV export, sign-in rules, errors, assets."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from vigil.api import create_app
from vigil.settings import Settings
from vigil.web import routers


@pytest.fixture(scope="module")
def client(site_settings: Settings, snapshot: object) -> Iterator[TestClient]:
    app = create_app(site_settings, extra_routers=routers())
    with TestClient(app) as running:
        yield running


@pytest.mark.parametrize("path", ["/", "/watchlist", "/countries/MMR", "/login", "/models"])
def test_public_pages_answer_without_signing_in(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "data sha256" in response.text


def test_the_map_page_carries_every_forecast(client, snapshot):
    page = client.get("/").text
    assert page.count('"iso3"') == len(snapshot.countries)
    assert '<script src="/static/plotly.min.js?v=' in page


def test_watchlist_threshold_keeps_only_countries_at_or_above_it(client, snapshot):
    rows = list(csv.DictReader(io.StringIO(client.get("/watchlist.csv?threshold=3").text)))
    assert rows
    assert all(float(r["probability"]) >= 0.03 for r in rows)
    expected = sum(c["probability"] >= 0.03 for c in snapshot.countries)
    assert len(rows) == expected


def test_watchlist_csv_rows_name_their_model_base_year_and_data(client, snapshot):
    response = client.get("/watchlist.csv?region=Western+Africa")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["region"] for r in rows} == {"Western Africa"}
    assert {r["model"] for r in rows} == {snapshot.model}
    assert {r["data_sha256"] for r in rows} == {snapshot.data_sha256}
    assert [int(r["rank"]) for r in rows] == sorted(int(r["rank"]) for r in rows)


def test_country_page_accepts_lower_case_codes_by_redirecting(client):
    response = client.get("/countries/mmr", follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == "/countries/MMR"


def test_unknown_country_is_a_page_not_a_crash(client):
    response = client.get("/countries/XXX")
    assert response.status_code == 404
    assert "No forecast" in response.text


@pytest.mark.parametrize("path", ["/alerts", "/responses", "/assessments", "/reports"])
def test_analyst_pages_send_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


@pytest.fixture(scope="module")
def analyst(client, site_settings) -> Iterator[TestClient]:
    """The client, signed in as an analyst cleared for confidential material."""
    from vigil.workspace.database import open_database
    from vigil.workspace.users import SystemActor, add_user

    db = open_database(site_settings)
    with db.session() as session:
        add_user(session, SystemActor(), "page-tester", role="analyst", clearance="confidential",
                 password="long enough pw")  # fmt: skip
    db.dispose()
    client.post("/login", data={"username": "page-tester", "password": "long enough pw"})
    yield client
    client.post("/logout")


def test_an_analyst_starts_edits_and_reopens_an_assessment(analyst):
    token = analyst.get("/assessments").text.split('name="csrf" value="')[1].split('"')[0]
    started = analyst.post("/assessments", data={"csrf": token, "iso3": "MMR",
                           "assessed_on": "2026-11-01", "confidentiality": "restricted"},
                           follow_redirects=False)  # fmt: skip
    assert started.status_code == 303
    editor = started.headers["location"]
    form = {"csrf": token, "version": "1", "summary": "Fighting in Sagaing.",
            "rating:RF1.1": "strongly_present", "confidence:RF1.1": "high"}  # fmt: skip
    saved = analyst.post(editor, data=form, follow_redirects=False)
    assert saved.headers["location"].endswith("notice=Saved.")
    page = analyst.get(editor).text
    assert "Fighting in Sagaing." in page
    assert '<option value="strongly_present" selected>' in page
    assert "MMR" in analyst.get("/assessments").text


@pytest.mark.parametrize("path", ["/alerts", "/alerts?state=all", "/responses", "/assessments",
                                  "/reports", "/countries/MMR"])  # fmt: skip
def test_every_signed_in_page_renders_for_an_analyst(analyst, path):
    response = analyst.get(path)
    assert response.status_code == 200
    assert "Signed in as <strong>page-tester</strong>" in response.text


def test_an_analyst_records_an_action_that_shows_on_the_country_timeline(analyst):
    token = analyst.get("/responses").text.split('name="csrf" value="')[1].split('"')[0]
    recorded = analyst.post("/responses", data={"csrf": token, "iso3": "SDN", "type": "mediation",
                            "actor": "African Union", "title": "Talks in Jeddah",
                            "started_on": "2026-11-02", "status": "ongoing"},
                            follow_redirects=False)  # fmt: skip
    assert recorded.status_code == 303
    assert "Talks in Jeddah" in analyst.get("/responses").text
    assert "Talks in Jeddah" in analyst.get("/countries/SDN").text


def test_a_form_without_its_csrf_token_is_refused(analyst):
    client = analyst
    forged = client.post("/alerts/1/acknowledge", data={"csrf": "forged", "version": "1"},
                         follow_redirects=False)  # fmt: skip
    assert forged.status_code == 403
    page = client.get("/alerts").text
    token = page.split('name="csrf" value="')[1].split('"')[0]
    honest = client.post("/alerts/1/acknowledge", data={"csrf": token, "version": "1"},
                         follow_redirects=False)  # fmt: skip
    assert honest.status_code == 303


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/static/plotly.min.js", "javascript"),
        ("/static/vigil.css", "css"),
        ("/geo/countries.geojson", "geo+json"),
        ("/static/geo/world_110m.json", "json"),
    ],
)
def test_assets_are_served_from_the_package(client, path, kind):
    response = client.get(path)
    assert response.status_code == 200
    assert kind in response.headers["content-type"]
    assert "max-age" in response.headers["cache-control"]


@pytest.mark.parametrize("path", ["/static/../pages.py", "/static/.hidden", "/static/nothing.js"])
def test_only_bundled_assets_are_served(client, path):
    assert client.get(path).status_code == 404


def test_models_page_marks_the_default_model(client, snapshot):
    page = client.get("/models").text
    assert f'<strong>{snapshot.model}</strong> <span class="badge">default</span>' in page


def test_api_stays_documented_next_to_the_pages(client):
    spec = client.get("/openapi.json").json()
    assert "/api/v1/forecasts" in spec["paths"]
    assert "/watchlist" not in spec["paths"]


def test_a_wrong_password_shows_the_form_again_with_a_message(client):
    response = client.post("/signin", data={"username": "nobody", "password": "wrong password"})
    assert response.status_code == 401
    assert "Unknown user name or wrong password." in response.text
    assert 'value="nobody"' in response.text


def test_the_country_brief_is_served_as_pdf_and_html(client, snapshot):
    pdf = client.get("/countries/MMR/brief.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    html = client.get("/countries/MMR/brief").text
    assert snapshot.data_sha256 in html


def test_models_page_shows_within_year_auc(client):
    from vigil.risk.models import load_summary

    page = client.get("/models").text
    ensemble = load_summary()["pooled"]["ensemble"]
    assert "Within-year AUC" in page
    assert f"{ensemble['within_auc_lo']:.3f}–{ensemble['within_auc_hi']:.3f}" in page


def test_an_action_taken_for_an_alert_names_it_on_the_board(analyst, site_settings):
    from sqlalchemy import select

    from vigil.workspace.alerts import Alert
    from vigil.workspace.database import open_database

    db = open_database(site_settings)
    with db.session(write=False) as session:
        alert = session.scalars(select(Alert).where(Alert.iso3 == "MMR")).first()
    db.dispose()
    assert alert is not None, "the seeded forecast rules raised an alert for Myanmar"
    token = analyst.get("/responses").text.split('name="csrf" value="')[1].split('"')[0]
    recorded = analyst.post("/responses", data={"csrf": token, "iso3": "MMR", "type": "mediation",
                            "actor": "ASEAN", "title": "Envoy visit", "started_on": "2026-11-03",
                            "status": "ongoing", "alert_id": str(alert.id)},
                            follow_redirects=False)  # fmt: skip
    assert recorded.status_code == 303
    assert f"for alert {alert.id}</span>" in analyst.get("/responses").text


def test_pages_serve_the_one_year_forecast_beside_the_two_year_one(client, snapshot):
    from vigil.risk.forecast import cached_forecast
    from vigil.risk.table import load_table

    seed = snapshot.provenance["parameters"]["seed"]
    one_year = cached_forecast(load_table(), snapshot.model, snapshot.base_year, seed=seed,
                               horizon=1).frame.set_index("iso3")["probability"]  # fmt: skip
    rows = {r["iso3"]: r for r in csv.DictReader(io.StringIO(client.get("/watchlist.csv").text))}
    assert float(rows["MMR"]["probability_1y"]) == pytest.approx(one_year["MMR"], abs=1e-6)
    assert float(rows["MMR"]["probability_1y"]) < float(rows["MMR"]["probability"])
    page = client.get("/countries/MMR").text
    assert 'id="probability-1y"' in page and "Next year" in page
