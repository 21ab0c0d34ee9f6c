"""End to end in headless Chromium against a real ``vigil serve``: what a newcomer and an
analyst do, with screenshots kept under artifacts/screenshots/."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vigil.settings import Settings

pytestmark = pytest.mark.slow


def sign_in(tab: Any, server: Any, name: str, password: str) -> None:
    tab.goto(server.url + "/login?next=/alerts")
    tab.get_by_label("User name").fill(name)
    tab.get_by_label("Password").fill(password)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url("**/alerts")


def test_map_renders_every_forecast_country_without_leaving_the_machine(page, server, shoot):
    page.goto(server.url + "/")
    page.wait_for_selector("#map[data-rendered=true]", state="attached", timeout=60_000)
    shapes = page.locator("#map path.choroplethlocation").count()
    assert shapes > 150
    shoot(page, "map")
    assert page.outside_requests == []


def test_clicking_a_country_opens_its_page_with_the_probability_of_vigil_forecast(
    page, server, run_vigil, shoot
):
    cli = json.loads(run_vigil(server.home, "forecast", "--format", "json").stdout)
    top = cli["forecasts"][0]
    page.goto(server.url + "/")
    page.wait_for_selector("#map[data-rendered=true]", state="attached", timeout=60_000)
    box = page.evaluate(
        """(iso3) => {
            const path = [...document.querySelectorAll('#map path.choroplethlocation')]
                .filter(p => p.__data__ && p.__data__.loc === iso3 && p.__data__.z !== undefined)
                .pop();
            const r = path.getBoundingClientRect();
            return {x: r.x + r.width / 2, y: r.y + r.height / 2};
        }""",
        top["iso3"],
    )
    page.mouse.click(box["x"], box["y"])
    page.wait_for_url(f"**/countries/{top['iso3']}")
    shown = page.locator("#probability")
    assert float(shown.get_attribute("data-probability")) == pytest.approx(
        top["probability"], abs=1e-6
    )
    assert shown.inner_text() == f"{top['probability']:.1%}"
    shoot(page, "country")


def test_watchlist_filters_by_region_and_threshold(page, server, shoot):
    page.goto(server.url + "/watchlist")
    everyone = page.locator("tbody tr").count()
    page.get_by_label("Region").select_option("Western Africa")
    page.get_by_label("Minimum probability (%)").fill("2")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/watchlist?region=Western+Africa&threshold=2*")
    regions = page.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert 0 < len(regions) < everyone
    assert set(regions) == {"Western Africa"}
    shoot(page, "watchlist-filtered")
    page.goto(server.url + "/watchlist")
    shoot(page, "watchlist")


def test_an_analyst_signs_in_and_acknowledges_an_alert(page, server, password, shoot):
    sign_in(page, server, "ana", password)
    shoot(page, "alerts-inbox")
    first = page.locator("tbody tr").first
    alert_id = first.get_attribute("id")
    first.get_by_role("button", name="Acknowledge").click()
    page.wait_for_url("**/alerts?notice=*")
    assert "acknowledged" in page.get_by_role("status").inner_text()
    page.goto(server.url + "/alerts?state=acknowledged")
    row = page.locator(f"tr#{alert_id}")
    assert row.locator("td.state").inner_text() == "acknowledged"
    shoot(page, "alerts-acknowledged")


def test_a_viewer_cannot_see_a_confidential_report(page, server, password):
    from vigil.workspace.database import open_database
    from vigil.workspace.reports import ReportInput, store_report
    from vigil.workspace.users import get_user

    db = open_database(Settings(home=server.home))
    with db.session() as session:
        analyst = get_user(session, "ana")
        given = ReportInput(title="Troop movements near Sittwe (source protected)",
                            text="Confidential field report about troop movements.",
                            confidentiality="confidential", countries=("MMR",))  # fmt: skip
        report_id = store_report(session, analyst, given).report.id
    db.dispose()
    sign_in(page, server, "vic", password)
    page.goto(server.url + "/reports")
    assert "Troop movements" not in page.content()
    response = page.goto(server.url + f"/reports/{report_id}")
    assert response.status == 404
    assert "Troop movements" not in page.content()
    page.context.clear_cookies()
    sign_in(page, server, "ana", password)
    page.goto(server.url + f"/reports/{report_id}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Troop movements")


def test_forms_are_labelled_images_described_and_pages_keyboard_navigable(page, server):
    for path in ("/", "/watchlist", "/countries/MMR", "/login", "/models"):
        page.goto(server.url + path)
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                .filter(el => !el.labels.length && !el.getAttribute('aria-label'))
                .map(el => el.name)"""
        )
        assert unlabelled == [], f"{path}: controls without a label: {unlabelled}"
        assert page.locator("img:not([alt])").count() == 0, f"{path}: image without alt text"
        assert page.locator("svg[role=img]:not([aria-label])").count() == 0
    page.goto(server.url + "/watchlist")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('tbody') !== null"):
            break
    target = page.evaluate("document.activeElement.getAttribute('href')")
    assert target.startswith("/countries/")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{target}")
