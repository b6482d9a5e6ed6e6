"""The Rasa server's action-answer check keeps Rasa's verdicts and messages
while validating the schema only once."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from launcher.rasa_main import validate_action_result

ACTION = RemoteAction("action_answer_faq", None)
VALID = {
    "events": [{"event": "slot", "name": "topics_discussed", "value": ["pain"]}],
    "responses": [{"text": "It is usually described as uncomfortable."}],
}


def test_a_valid_answer_passes_as_it_does_in_rasa():
    assert ACTION._validate_action_result(VALID)
    assert validate_action_result(ACTION, VALID)


@pytest.mark.parametrize(
    "answer",
    [
        {"events": "not a list"},
        {"events": [{"event": "no_such_event"}]},
        {"responses": [["not", "an", "object"]]},
    ],
)
def test_an_invalid_answer_is_refused_with_rasas_explanation(answer):
    with pytest.raises(ValidationError) as rasas:
        ACTION._validate_action_result(answer)
    with pytest.raises(
        ValidationError, match="Failed to validate Action server"
    ) as ours:
        validate_action_result(ACTION, answer)
    assert ours.value.message == rasas.value.message
