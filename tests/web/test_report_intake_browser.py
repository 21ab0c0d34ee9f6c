"""Adding a report in the browser: upload or paste on /reports, see its triage (language,
countries, risk factors, relevance), confirm and correct it; the inbox orders and filters by
relevance; a viewer neither sees the form nor the confidential report. Headless Chromium
against a real ``vigil serve``; screenshots under artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.test_browser import sign_in

pytestmark = pytest.mark.slow

FRENCH = (
    "Darfour : des milices armées ont tué des civils au Soudan et incendié des villages.\n\n"
    "Des témoins rapportent que les hommes d'une même communauté ont été séparés puis "
    "exécutés près d'El Geneina ; des milliers de personnes ont fui vers le Tchad."
)
FLOODS = (
    "Las lluvias torrenciales provocaron inundaciones en el Chocó colombiano; miles de "
    "familias perdieron sus cosechas y el gobierno envió semillas."
)


def _relevance_of(tab: Any, title: str) -> float:
    row = tab.locator("tbody tr", has_text=title)
    return float(row.locator("td.relevance").inner_text())


def test_an_analyst_uploads_a_report_and_confirms_its_triage(
    page: Any, server: Any, password: str, shoot: Any, tmp_path: Path
) -> None:
    upload = tmp_path / "rapport-darfour.txt"
    upload.write_text(FRENCH, encoding="utf-8")
    sign_in(page, server, "ana", password)
    page.goto(server.url + "/reports")
    page.get_by_label("File (text, HTML or PDF)").set_input_files(str(upload))
    page.get_by_label("Title").fill("Darfour : exécutions près d'El Geneina")
    page.get_by_label("URL").fill("https://example.org/rapport")
    page.get_by_label("Confidentiality").select_option("confidential")
    page.get_by_role("button", name="Add and triage").click()
    page.wait_for_url("**/reports/*?notice=*", timeout=120_000)
    assert "added and triaged" in page.get_by_role("status").inner_text()
    assert page.locator("#triage-language").inner_text().startswith("fr")
    assert "(SDN)" in page.locator("#triage-countries").inner_text().split(",")[0]
    assert float(page.locator("#triage-relevance").inner_text()) > 0.6
    factors = page.locator("tr.factor")
    assert factors.count() == 5
    first = factors.first.get_attribute("data-factor")
    shoot(page, "report-intake-triage")

    page.get_by_role("button", name=f"Confirm {first}").click()
    page.wait_for_url("**/reports/*?notice=*")
    assert f"{first} confirmed" in page.get_by_role("status").inner_text()
    page.get_by_label("The right risk factor is").select_option("RF10")
    page.get_by_role("button", name="Record the correction").click()
    page.wait_for_url("**/reports/*?notice=*")
    verdicts = page.locator("#labels").inner_text()
    assert f"{first} confirmed by ana" in verdicts and "RF10 corrected by ana" in verdicts
    shoot(page, "report-intake-verdicts")
    assert page.outside_requests == []


def test_pasted_reports_are_ordered_and_filtered_by_relevance(
    page: Any, server: Any, password: str, shoot: Any
) -> None:
    sign_in(page, server, "ana", password)
    for title, text in (("Inundaciones en el Chocó", FLOODS), ("Sudan: killings", FRENCH)):
        page.goto(server.url + "/reports")
        page.get_by_label("Or paste the text").fill(text.replace("Darfour", "Darfur"))
        page.get_by_label("Title").fill(title)
        page.get_by_role("button", name="Add and triage").click()
        page.wait_for_url("**/reports/*?notice=*", timeout=120_000)
    page.goto(server.url + "/reports?sort=relevance")
    flood, killings = _relevance_of(page, "Inundaciones"), _relevance_of(page, "Sudan: killings")
    assert flood < 0.4 < killings
    titles = page.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert titles.index("Sudan: killings") < titles.index("Inundaciones en el Chocó")
    page.get_by_label("Minimum relevance (0–1)").fill("0.5")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/reports?*min_relevance=0.5*")
    shown = page.locator("tbody").inner_text()
    assert "Sudan: killings" in shown and "Inundaciones" not in shown
    shoot(page, "report-inbox-by-relevance")


def test_nothing_to_add_and_a_duplicate_are_refused_with_a_message(
    page: Any, server: Any, password: str
) -> None:
    sign_in(page, server, "ana", password)
    page.goto(server.url + "/reports")
    page.get_by_role("button", name="Add and triage").click()
    page.wait_for_url("**/reports?notice=*")
    assert "Nothing to add" in page.get_by_role("status").inner_text()
    for _ in range(2):
        page.goto(server.url + "/reports")
        page.get_by_label("Or paste the text").fill(
            "The same text, twice: armed men shot civilians."
        )
        page.get_by_role("button", name="Add and triage").click()
        page.wait_for_load_state()
    assert "an identical report is already stored" in page.get_by_role("status").inner_text()


def test_a_viewer_gets_no_intake_form_and_cannot_post_one(
    page: Any, server: Any, password: str
) -> None:
    sign_in(page, server, "vic", password)
    page.goto(server.url + "/reports")
    assert page.locator("#add-report").count() == 0
    csrf = page.evaluate("() => document.querySelector('input[name=csrf]')?.value || ''")
    answer = page.request.post(
        server.url + "/reports", multipart={"csrf": csrf, "text": "A viewer's report."}
    )
    assert "Not added" in answer.text() or answer.status in (403, 422)
    page.goto(server.url + "/reports")
    assert "A viewer&#39;s report" not in page.content() and "A viewer's report" not in (
        page.locator("tbody").inner_text()
    )
