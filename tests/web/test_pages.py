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
    assert '<script src="/static/plotly.min.js"></script>' in page


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


def test_a_form_without_its_csrf_token_is_refused(client, site_settings):
    from vigil.workspace.database import open_database
    from vigil.workspace.users import SystemActor, add_user

    db = open_database(site_settings)
    with db.session() as session:
        add_user(session, SystemActor(), "csrf-tester", role="analyst", password="long enough pw")
    db.dispose()
    client.post("/login", data={"username": "csrf-tester", "password": "long enough pw"})
    forged = client.post("/alerts/1/acknowledge", data={"csrf": "forged", "version": "1"},
                         follow_redirects=False)  # fmt: skip
    assert forged.status_code == 403
    page = client.get("/alerts").text
    token = page.split('name="csrf" value="')[1].split('"')[0]
    honest = client.post("/alerts/1/acknowledge", data={"csrf": token, "version": "1"},
                         follow_redirects=False)  # fmt: skip
    assert honest.status_code == 303
    client.post("/logout")


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
