"""Rasa's command line, with the action server's answers checked at the cost of one.

Rasa 3.6 checks every answer of the action server against a JSON schema with
`jsonschema.validate`, which first validates the schema itself against the
JSON Schema meta-schema: on every custom action, every turn. Profiling an FAQ
turn (docs/profile-faq-turn-before.svg) put that meta-schema check at over a quarter
of the Rasa server's time. Here the schema is checked once and its validator
kept, so each answer is validated exactly as before (same schema, same error,
same message) without repeating the check.

The launcher starts the Rasa server as `python -m launcher.rasa_main run ...`,
which is `rasa run ...` with this change.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

_UNPATCHED = RemoteAction._validate_action_result


@functools.lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(action: RemoteAction, result: dict[str, Any]) -> bool:
    """What `RemoteAction._validate_action_result` does, with a kept validator."""
    if best_match(_response_validator().iter_errors(result)) is None:
        return True
    # An invalid answer (rare): Rasa's own check raises with its explanation.
    return bool(_UNPATCHED(action, result))


def install() -> None:
    """Use the kept validator in this process's Rasa."""
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
