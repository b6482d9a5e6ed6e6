"""Staff see how helpful visitors found each answer and each of its versions, and
questions whose answer did not help come up for review under Unanswered."""

from __future__ import annotations

import re

from console_support import Said, record_conversation

from console import unanswered
from smp import repository
from smp.db import session_scope
from smp.repository import FeedbackVote


def _vote(database_url, conversation, intent, helpful, **fields):
    with session_scope(database_url) as session:
        answer = repository.find_answer(session, intent)
        repository.record_feedback(
            session,
            FeedbackVote(conversation, answer.id, answer.version, helpful, **fields),
        )
        return answer


def _row(page: str, answer_id: int, version: int) -> str:
    match = re.search(
        rf'<tr data-answer="{answer_id}" data-version="{version}">(.*?)</tr>',
        page,
        re.DOTALL,
    )
    assert match, f"no row for answer {answer_id} v{version}"
    return match.group(1)


def _cells(row: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
    ]


def test_helpfulness_is_shown_per_answer_and_per_version(staff_client, database_url):
    pain = _vote(database_url, "v-1", "faq_pain", False, comment="Say how long")
    _vote(database_url, "v-2", "faq_pain", True)
    _vote(database_url, "v-3", "faq_pain", False)
    with session_scope(database_url) as session:
        edited = repository.update_answer(
            session, pain.id, editor="staff", text="It stings for a minute or two."
        )
    _vote(database_url, "v-4", "faq_pain", True)

    assert 'href="/answers/helpfulness"' in staff_client.get("/answers").get_data(True)
    page = staff_client.get("/answers/helpfulness").get_data(as_text=True)
    old = _cells(_row(page, pain.id, pain.version))
    new = _cells(_row(page, pain.id, edited.version))
    assert old[2:6] == [f"v{pain.version}", "1", "2", "33%"]
    assert "Say how long" in old[6]
    assert new[2:6] == [f"v{edited.version} (current)", "1", "0", "100%"]
    assert page.index(f'data-version="{edited.version}"') < page.index(
        f'data-version="{pain.version}"'
    )


def test_with_no_votes_the_page_says_so(staff_client):
    page = staff_client.get("/answers/helpfulness").get_data(as_text=True)
    assert "No votes yet" in page


def test_a_question_answered_unhelpfully_comes_up_under_unanswered(
    staff_client, database_url
):
    record_conversation(
        database_url, "v-cost", [Said("is it pricey", "faq_cost", 0.98)]
    )
    _vote(database_url, "v-cost", "faq_cost", False, question="is it pricey")
    _vote(database_url, "v-pain", "faq_pain", True, question="does it sting")

    page = staff_client.get("/unanswered").get_data(as_text=True)
    assert "is it pricey" in page
    assert "does it sting" not in page
    with session_scope(database_url) as session:
        groups = unanswered.open_groups(
            session, threshold=0.5, staff_prefix="staff-test-"
        )
    [group] = [g for g in groups if g.key == "is it pricey"]
    assert group.count == 1 and group.intents == [("faq_cost", 1.0)]
