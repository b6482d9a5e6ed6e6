"""The action server answers only the Rasa server, and stores only checked details."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from visitors import call_action

from actions import texts
from smp.db import BookingRequest, HandoffRequest, session_scope
from smp.secrets import ACTIONS_SECRET_HEADER

pytestmark = pytest.mark.e2e

GOOD_BOOKING = {
    "booking_name": "Jane Doe",
    "booking_contact": "jane.doe@example.com",
    "booking_preferred_time": "next Tuesday afternoon",
    "booking_concern": "covering my strip scar",
    "booking_consent": True,
    "booking_confirmed": True,
}


def stored(database_url: str, model: type) -> int:
    with session_scope(database_url) as session:
        return session.scalar(select(func.count()).select_from(model))


def sender() -> str:
    return f"forged-{uuid.uuid4().hex[:10]}"


def with_secret(stack) -> dict[str, str]:
    return {ACTIONS_SECRET_HEADER: stack.actions_secret}


@pytest.mark.parametrize(
    "headers",
    [{}, {ACTIONS_SECRET_HEADER: "not-the-secret"}, {ACTIONS_SECRET_HEADER: ""}],
    ids=["no secret", "wrong secret", "empty secret"],
)
@pytest.mark.parametrize("action", ["action_submit_booking", "action_submit_handoff"])
def test_a_forged_action_call_without_the_secret_is_refused_and_stores_nothing(
    assistant_stack, headers, action
):
    before = stored(assistant_stack.database_url, BookingRequest)
    before_handoffs = stored(assistant_stack.database_url, HandoffRequest)
    answer = call_action(
        assistant_stack.actions_url, action, sender(), GOOD_BOOKING, headers
    )
    assert answer.status == 401
    assert "events" not in (answer.body or {})
    assert stored(assistant_stack.database_url, BookingRequest) == before
    assert stored(assistant_stack.database_url, HandoffRequest) == before_handoffs


def test_the_action_list_is_not_served_without_the_secret(assistant_stack):
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{assistant_stack.actions_url}/actions", timeout=30)  # noqa: S310
    assert refused.value.code == 401


BAD_FIELDS = {
    "name with markup": {"booking_name": "<script>alert(1)</script>"},
    "name with digits": {"booking_name": "Jane 007"},
    "name not a string": {"booking_name": ["Jane", "Doe"]},
    "email": {"booking_contact": "jane.doe@@example"},
    "phone": {"booking_contact": "12"},
    "contact missing": {"booking_contact": None},
    "time only a question": {"booking_preferred_time": "what?"},
    "time empty": {"booking_preferred_time": ""},
    "concern empty": {"booking_concern": " "},
}


SUBMITS = {
    "booking": ("action_submit_booking", BookingRequest, list(BAD_FIELDS)),
    "callback": (
        "action_submit_handoff",
        HandoffRequest,
        ["name with markup", "email"],
    ),
}
FORGED_SUBMITS = [
    (kind, bad) for kind, (_, _, checked) in SUBMITS.items() for bad in checked
]


@pytest.mark.parametrize(
    ("kind", "bad"), FORGED_SUBMITS, ids=[f"{k}: {b}" for k, b in FORGED_SUBMITS]
)
def test_a_submit_with_the_secret_but_invalid_details_stores_nothing(
    assistant_stack, kind, bad
):
    action, model, _ = SUBMITS[kind]
    before = stored(assistant_stack.database_url, model)
    answer = call_action(
        assistant_stack.actions_url,
        action,
        sender(),
        {**GOOD_BOOKING, **BAD_FIELDS[bad]},
        with_secret(assistant_stack),
    )
    assert answer.status == 200
    said = [message.get("text") for message in answer.body["responses"]]
    assert said == [texts.text("utter_request_not_stored")]
    assert stored(assistant_stack.database_url, model) == before


def test_a_submit_retried_twice_stores_one_booking(assistant_stack):
    conversation = sender()
    before = stored(assistant_stack.database_url, BookingRequest)
    references = []
    for _ in range(3):
        answer = call_action(
            assistant_stack.actions_url,
            "action_submit_booking",
            conversation,
            GOOD_BOOKING,
            with_secret(assistant_stack),
        )
        assert answer.status == 200
        references += [
            event["value"]
            for event in answer.body["events"]
            if event.get("name") == "booking_reference"
        ]
    assert len(references) == 3 and len(set(references)) == 1
    assert stored(assistant_stack.database_url, BookingRequest) == before + 1
