"""Signing in from Chromium: a failure shows the form again, never an HTTP error."""

from __future__ import annotations

import pytest
from console_support import STAFF_USER

pytestmark = [pytest.mark.browser]


def test_a_wrong_password_shows_the_form_again_with_status_200(browser, busy_console):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{busy_console.url}/login")
        page.fill("input[name=username]", STAFF_USER)
        page.fill("input[name=password]", "not-the-password")
        with page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/login")
        ) as answered:
            page.click("button[type=submit]")
        assert answered.value.status == 200
        assert "Wrong username or password" in page.inner_text(".flash-error")
        assert page.input_value("input[name=username]") == STAFF_USER
        assert page.locator("input[name=password]").is_visible()
    finally:
        context.close()
