"""Every console page at desktop width on a week of real-looking activity, with a
long unbroken message in it: checked to fit the screen, and photographed.

`SMP_DOCS_SCREENSHOTS=1` also copies the pictures into docs/ (docs/console.md).
"""

from __future__ import annotations

import pytest
from clinic_activity import POPULAR_QUESTION
from console_support import docs_screenshot

pytestmark = [pytest.mark.browser]

WIDTH = 1280  # the `staff` page's
PAGES = [
    ("overview", "/"),
    ("conversations", "/conversations"),
    ("search", "/conversations?q=psoriasis"),
    ("conversation", "/conversations/widget-5d1c9e07a2b34f6c"),
    ("long-message", "/conversations/widget-long-0001"),
    ("unanswered", "/unanswered"),
    ("analytics", "/analytics"),
    ("answers", "/answers"),
    ("bookings", "/requests/bookings"),
    ("privacy", "/privacy"),
]


def still_charts(page) -> None:
    """Charts drawn in their final state (no animation half way)."""
    page.wait_for_function("window.Chart && Object.keys(Chart.instances).length > 0")
    page.evaluate(
        "Object.values(Chart.instances).forEach((chart) => {"
        " chart.options.animation = false; chart.update('none'); })"
    )


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[name for name, _ in PAGES])
def test_each_page_fits_the_desktop_and_is_photographed(
    staff, busy_console, name, path
):
    staff.goto(busy_console.url + path)
    if name == "analytics":
        still_charts(staff)
    assert staff.evaluate("document.documentElement.scrollWidth") == WIDTH
    assert docs_screenshot(staff, name).stat().st_size > 0


def test_the_bulk_assign_confirmation_is_photographed(staff, busy_console):
    staff.goto(f"{busy_console.url}/unanswered")
    row = staff.locator("#open-questions tbody tr").filter(has_text=POPULAR_QUESTION)
    row.locator("select[name=intent]").select_option("faq_what_is_smp")
    row.locator("button[value=assigned]").click()
    staff.locator(".confirm-card").wait_for()
    assert staff.evaluate("document.documentElement.scrollWidth") == WIDTH
    assert docs_screenshot(staff, "unanswered-confirm").stat().st_size > 0
