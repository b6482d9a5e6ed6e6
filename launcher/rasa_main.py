"""Rasa's command line with three changes to the Rasa server's turn.

1. The action server's answers are checked at the cost of one check.

Rasa 3.6 checks every answer of the action server against a JSON schema with
`jsonschema.validate`, which first validates the schema itself against the
JSON Schema meta-schema: on every custom action, every turn. Profiling an FAQ
turn (docs/profile-faq-turn-before.svg) put that meta-schema check at over a quarter
of the Rasa server's time. Here the schema is checked once and its validator
kept, so each answer is validated exactly as before (same schema, same error,
same message) without repeating the check.

2. A conversation whose history cannot be read is not answered. Rasa wraps
every tracker store in a fail-safe one: when the database cannot be reached
it carries on with an empty conversation kept in the server's memory, so a
visitor in the middle of a booking is suddenly a stranger, and what they say
meanwhile is never stored. Here the tracker store's errors reach the channel
instead (the message gets no answer, nothing is processed) and the visitor's
next try, once the database is back, carries on the real conversation.

3. The conversation store's database connections are checked before use
(`pool_pre_ping`, as smp/db.py does for the product's own tables), so that
after a database restart no visitor's message is spent discovering that the
pooled connections are dead.

The launcher starts the Rasa server as `python -m launcher.rasa_main run ...`,
which is `rasa run ...` with these changes.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core import tracker_store
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain

_UNPATCHED = RemoteAction._validate_action_result
_ENGINE_KWARGS = tracker_store.create_engine_kwargs


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


def tracker_store_without_fallback(
    store: TrackerStore | None, domain: Domain
) -> TrackerStore:
    """The configured tracker store itself, not wrapped in Rasa's fail-safe."""
    if store is None:
        return InMemoryTrackerStore(domain)
    store.domain = domain
    return store


def engine_kwargs_with_ping(url: Any) -> dict[str, Any]:
    """Rasa's engine settings for the SQL tracker store, plus `pool_pre_ping`."""
    return {**_ENGINE_KWARGS(url), "pool_pre_ping": True}


def install() -> None:
    """Make the three changes in this process's Rasa."""
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    Agent._create_tracker_store = staticmethod(tracker_store_without_fallback)  # type: ignore[method-assign]
    tracker_store.create_engine_kwargs = engine_kwargs_with_ping


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
