"""In headless Chromium against a real ``vigil serve``: every page works under the
Content-Security-Policy — the map and the model plots draw, forms submit — and the browser
reports no violation of the policy on any page."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.slow

WATCH = """() => {
  window.__violations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`);
  });
}"""
PUBLIC = ("/", "/watchlist", "/countries/MMR", "/models", "/login")
SIGNED_IN = ("/alerts", "/responses", "/assessments", "/reports")


def _watched(page: Any) -> list[str]:
    """Console messages that report a blocked resource or script, as they arrive."""
    messages: list[str] = []
    page.on(
        "console",
        lambda m: (
            messages.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    page.add_init_script(f"({WATCH})()")
    return messages


def _visit(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "default-src 'self'" in policy
    page.wait_for_load_state("networkidle")


def test_public_pages_work_under_the_policy_with_no_violation(page: Any, server: Any) -> None:
    console = _watched(page)
    for path in PUBLIC:
        _visit(page, server.url + path)
        if path == "/":
            page.wait_for_selector("#map[data-rendered=true]", state="attached", timeout=60_000)
            assert page.locator("#map path.choroplethlocation").count() > 150
        if path == "/models":
            plots = page.locator("script.plot-data").count()
            drawn = page.locator(".plot[data-rendered=true]")
            if plots:
                drawn.nth(plots - 1).wait_for(state="attached", timeout=60_000)
            assert drawn.count() == plots
        assert page.evaluate("window.__violations") == [], (
            path,
            page.evaluate("window.__violations"),
        )
    assert console == []
    assert page.outside_requests == []


def test_signed_in_pages_and_forms_work_under_the_policy(
    page: Any, server: Any, password: str
) -> None:
    console = _watched(page)
    page.goto(server.url + "/login?next=/alerts")
    page.get_by_label("User name").fill("ana")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/alerts")
    for path in SIGNED_IN:
        _visit(page, server.url + path)
        assert page.evaluate("window.__violations") == [], (
            path,
            page.evaluate("window.__violations"),
        )
    page.goto(server.url + "/assessments")
    page.get_by_role("button", name="Start draft").click()
    page.wait_for_url("**/assessments/*")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/assessments/*?notice=*")
    assert page.get_by_role("status").inner_text() == "Saved."
    assert page.evaluate("window.__violations") == []
    assert console == []
