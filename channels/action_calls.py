"""Action calls that survive a dropped connection, and never fail in silence.

Rasa 3.6 calls the action server once per action; when the connection breaks
("Cannot write to closing transport", a server restarting) it logs the error,
drops the action's events and says nothing to the visitor. In the Rasa
server, `install()` wraps Rasa's `RemoteAction.run` so that:

- a call that fails to connect, or whose connection closes before the answer,
  is made once more. Every action of this project may run twice: the submit
  actions store a request once per conversation and details (its submission
  key, unique in the database), the others only read;
- an action that still fails sends the visitor `utter_action_failed` ("please
  try again") instead of nothing; when it was a form's check, the form keeps
  asking its question. A form's validation that is refused on purpose
  (`ActionExecutionRejection`) is left to Rasa as before.

Both sides keep connections the same way: Rasa opens a new connection for
each call and the action server keeps idle ones longer than any client
(actions/server.py), so neither closes one the other is still using.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from rasa.core.actions.action import (
    ActionExecutionRejection,
    RemoteAction,
    create_bot_utterance,
)
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.events import Event, SlotSet

from channels.guard import reply_text

logger = logging.getLogger(__name__)

FAILED = "utter_action_failed"
_rasa_run = RemoteAction.run


def dropped_connection(error: BaseException) -> bool:
    """Whether the call failed because the connection could not be used.

    Rasa raises its own exception while handling aiohttp's, so the cause is
    the exception's context.
    """
    cause = error.__cause__ or error.__context__
    return isinstance(error, aiohttp.ClientConnectionError) or isinstance(
        cause, aiohttp.ClientConnectionError
    )


async def run_surviving(self: RemoteAction, *args: Any, **kwargs: Any) -> list[Event]:
    """Rasa's `RemoteAction.run`, retried once on a dropped connection."""
    try:
        try:
            return await _rasa_run(self, *args, **kwargs)
        except ActionExecutionRejection:
            raise
        except Exception as error:
            if not dropped_connection(error):
                raise
            logger.warning(
                "Action %s lost its connection; calling it once more.", self.name()
            )
            return await _rasa_run(self, *args, **kwargs)
    except ActionExecutionRejection:
        raise
    except Exception as error:
        logger.error(
            "Action %s failed (%s); the visitor is asked to try again.",
            self.name(),
            type(error).__name__,
        )
        told = create_bot_utterance(
            {"text": reply_text("action_failed"), "utter_action": FAILED}
        )
        return [told, *_keep_form_asking(self, args, kwargs)]


def _keep_form_asking(
    action: RemoteAction, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> list[Event]:
    """For a form's failed check: the asked slot stays empty, so the form asks again.

    Without a slot event from the check, a form whose slot only the check can
    fill (the confirmation) is rejected, and the visitor would get the
    fallback instead of the question again.
    """
    if not action.name().startswith("validate_"):
        return []
    tracker = kwargs.get("tracker", args[2] if len(args) > 2 else None)
    asked = tracker.get_slot(REQUESTED_SLOT) if tracker is not None else None
    return [SlotSet(str(asked), None)] if asked else []


def install() -> None:
    """Make every action call of this Rasa server retry once and fail aloud."""
    if RemoteAction.run is not run_surviving:
        RemoteAction.run = run_surviving  # type: ignore[method-assign]
