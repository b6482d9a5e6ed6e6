"""Topic names and dates in Chromium: written as people write them, one way everywhere."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = [pytest.mark.browser]

DAY = r"\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}"
# Dates written any other way: 2026-12-02, 02/12, "02 Dec" with a leading zero.
OTHER_DATES = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}\b|\b0\d [A-Z][a-z]{2}\b"
)


def test_topics_read_as_the_clinic_wrote_them(staff, busy_console):
    staff.goto(f"{busy_console.url}/analytics")
    topics = staff.locator("table.data tbody td:first-child").all_inner_texts()
    assert "SMP compared with other options" in topics
    assert "What SMP is" in topics
    chart = json.loads(staff.locator("#analytics-data").inner_text())
    assert "What SMP is" in chart["topics"]
    staff.goto(f"{busy_console.url}/answers")
    listed = staff.locator("table.data tbody td:first-child a").all_inner_texts()
    assert "SMP compared with other options" in listed and "What SMP is" in listed
    assert not [name for name in topics + listed if "Smp" in name]


@pytest.mark.parametrize(
    "path", ["/", "/analytics", "/conversations", "/unanswered", "/requests"]
)
def test_every_date_is_written_one_way(staff, busy_console, path):
    staff.goto(busy_console.url + path)
    text = staff.locator("main").inner_text()
    assert OTHER_DATES.findall(text) == []
    if path == "/analytics":
        assert re.search(f"{DAY} to {DAY}", text)
        chart = json.loads(staff.locator("#analytics-data").inner_text())
        assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", d) for d in chart["labels"])
    elif path != "/":  # the overview shows counts only
        assert re.search(f"{DAY}, \\d\\d:\\d\\d", text)
