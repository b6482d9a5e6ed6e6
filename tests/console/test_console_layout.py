"""The console's pages fit the screen, whatever visitors typed, on desktops and phones."""

from __future__ import annotations

import pytest
from clinic_activity import LONG_UNBROKEN

pytestmark = [pytest.mark.browser]

WIDTHS = [pytest.param(1280, id="desktop"), pytest.param(390, id="phone")]
PAGES = ("/", "/conversations", "/unanswered", "/analytics", "/answers")


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def overflowing_cells(page, selector: str) -> list[str]:
    """Cells of the tables under `selector` whose content is wider than the cell."""
    return page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector + ' td'))
            .filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
            .map((cell) => cell.textContent.trim().slice(0, 40))""",
        selector,
    )


def outside(page, selector: str, width: int) -> list[dict]:
    """Bounding boxes of the elements matching `selector` not wholly on screen."""
    boxes = page.eval_on_selector_all(
        selector,
        "(nodes) => nodes.map((n) => { const r = n.getBoundingClientRect();"
        " return {x: r.left, right: r.right}; })",
    )
    assert boxes, f"no {selector} on the page"
    return [box for box in boxes if box["x"] < 0 or box["right"] > width]


@pytest.mark.parametrize("width", WIDTHS)
def test_a_long_unbroken_message_widens_no_page(staff_at, busy_console, width):
    page = staff_at(width)
    widths = {}
    for path in PAGES:
        page.goto(busy_console.url + path)
        widths[path] = page_width(page)
    assert widths == {path: width for path in PAGES}


@pytest.mark.parametrize("width", WIDTHS)
def test_the_overview_shows_the_long_message_within_the_screen(
    staff_at, busy_console, width
):
    page = staff_at(width)
    page.goto(busy_console.url + "/")
    quoted = page.locator(".plain-list .quote", has_text="xxxxxxxxxx")
    assert quoted.count() == 1
    box = quoted.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    assert page_width(page) == width


@pytest.mark.parametrize("width", WIDTHS)
def test_every_assign_button_on_unanswered_is_on_screen(staff_at, busy_console, width):
    page = staff_at(width)
    page.goto(busy_console.url + "/unanswered")
    assert page.locator("td .quote", has_text=LONG_UNBROKEN[:50]).count() == 1
    assert outside(page, "button[value=assigned]", width) == []
    assert outside(page, "button[value=dismissed]", width) == []
    assert outside(page, "select[name=intent]", width) == []
    assert page_width(page) == width


@pytest.mark.parametrize("width", WIDTHS)
def test_conversation_columns_hold_their_content(staff_at, busy_console, width):
    page = staff_at(width)
    page.goto(busy_console.url + "/conversations")
    assert overflowing_cells(page, "table.data") == []
    assert outside(page, "table.data td a", width) == []
    page.goto(f"{busy_console.url}/conversations/widget-long-0001")
    assert outside(page, ".msg.user .bubble", width) == []
    assert page_width(page) == width
