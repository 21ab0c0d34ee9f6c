"""The account pages in headless Chromium against a real ``vigil serve``: the seeded admin's
one-time password must be changed first, sign-out ends the session on the server, and the
sign-in form is throttled."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.slow


def test_the_one_time_admin_password_is_changed_at_first_sign_in(page: Any, server: Any) -> None:
    page.goto(server.url + "/login?next=/alerts")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill(server.admin_password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/password?next=/alerts")
    assert "one-time password" in page.content()
    page.goto(server.url + "/alerts")  # nothing else is reachable yet
    page.wait_for_url("**/login?next=/alerts")
    page.goto(server.url + "/password?next=/alerts")
    page.get_by_label("Current password").fill(server.admin_password)
    page.get_by_label("New password (at least 8 characters)").fill("the admin's own phrase")
    page.get_by_label("New password again").fill("the admin's own phrase")
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url("**/alerts")
    assert "Signed in as" in page.content()
    old = httpx.post(server.url + "/login", data={"username": "admin",
                     "password": server.admin_password}, follow_redirects=False)  # fmt: skip
    assert old.status_code == 401  # the one-time password is spent


def test_sign_out_in_the_browser_ends_the_session_for_a_copied_cookie(
    page: Any, server: Any, password: str
) -> None:
    page.goto(server.url + "/login?next=/alerts")
    page.get_by_label("User name").fill("ana")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/alerts")
    [cookie] = [c for c in page.context.cookies() if c["name"] == "vigil_session"]
    copied = {"vigil_session": cookie["value"]}
    assert httpx.get(server.url + "/api/v1/users/me", cookies=copied).status_code == 200
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(server.url + "/")
    assert httpx.get(server.url + "/api/v1/users/me", cookies=copied).status_code == 401
