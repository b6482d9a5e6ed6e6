"""Staff edit an answer's short reply and its "Tell me more" detail apart."""

from __future__ import annotations

from console_support import page_token
from test_console_pages import _answer_form

from smp import repository
from smp.content import answer_parts
from smp.db import session_scope


def _answer(database_url, intent="faq_scars"):
    with session_scope(database_url) as session:
        return repository.find_answer(session, intent)


def _form(answer, token, **changes):
    """The answer form as the editor posts it: the two parts apart."""
    parts = answer_parts(answer.text)
    both = {"short": parts.short, "detail": parts.detail, **changes}
    form = _answer_form(answer, token, **both)
    del form["text"]
    return form


def test_the_editor_opens_with_the_short_answer_and_the_detail_apart(
    staff_client, database_url
):
    answer = _answer(database_url)
    parts = answer_parts(answer.text)
    page = staff_client.get(f"/answers/{answer.id}").get_data(as_text=True)
    assert (
        f'id="answer-short" aria-describedby="short-help" required>{parts.short}<'
        in (page.replace("&#39;", "'"))
    )
    assert "Tell me more" in page
    assert "keloids" in page.split('id="answer-detail"')[1].split("</textarea>")[0]


def test_both_parts_are_saved_as_one_new_version(staff_client, database_url):
    answer = _answer(database_url)
    token = page_token(staff_client, f"/answers/{answer.id}")
    response = staff_client.post(
        f"/answers/{answer.id}",
        data=_form(
            answer,
            token,
            short="Yes, often.\r\n",
            detail="First detail.\r\n\r\nSecond detail.",
        ),
    )
    assert response.status_code == 302
    saved = _answer(database_url)
    assert saved.version == answer.version + 1
    assert saved.text == "Yes, often.\n\nFirst detail.\n\nSecond detail."


def test_a_long_or_split_short_answer_is_refused(staff_client, database_url):
    answer = _answer(database_url)
    token = page_token(staff_client, f"/answers/{answer.id}")
    for short, reason in (
        (" ".join(["word"] * 61), "at most 60 words"),
        ("One paragraph.\n\nAnother.", "one paragraph"),
    ):
        response = staff_client.post(
            f"/answers/{answer.id}", data=_form(answer, token, short=short)
        )
        assert response.status_code == 422
        assert reason in response.get_data(as_text=True)
    assert _answer(database_url).version == answer.version


def test_the_preview_shows_both_messages_with_their_buttons(staff_client, database_url):
    answer = _answer(database_url)
    token = page_token(staff_client, f"/answers/{answer.id}")
    result = staff_client.post(
        f"/api/answers/{answer.id}/preview",
        json={
            "short": "Yes, at **{clinic_name}**.",
            "detail": "One bubble.\n\n- and a second",
            "related_intents": ["faq_cost", "faq_results", "faq_pain"],
            "topic": answer.topic,
            "question": answer.question,
        },
        headers={"X-CSRF-Token": token},
    ).get_json()["preview"]
    assert result["html"] == "<p>Yes, at <strong>Northgate Scalp Clinic</strong>.</p>"
    assert result["buttons"] == [
        "Tell me more",
        "How much is it?",
        "Book a free consultation",
    ]
    assert result["detail"] == ["<p>One bubble.</p>", "<ul><li>and a second</li></ul>"]
    assert result["detail_buttons"] == [
        "Does it look real?",
        "Does it hurt?",
        "Book a free consultation",
    ]
