"""Visitors for Locust: questions, bookings through the form, and messages the
assistant does not understand, over the REST channel with think time.

Each simulated user is one visitor at a time: a journey is one conversation
(a new sender and no load-balancer cookie), and the next journey is a new
visitor. Run headless by `make bench-load` (bench/load.py), which reads what
each visitor sent from the journal this file writes when the run ends
(`SMP_LOCUST_JOURNAL`) and checks it against the database.

Environment: `SMP_REST_TOKEN` (the REST channel's bearer token, needed through
the load balancer), `SMP_LOCUST_JOURNAL` (where to write the journal).
"""

from __future__ import annotations

import json
import random
import uuid
from typing import Any

from locust import HttpUser, between, events, task

from bench.questions import FAQ_QUESTIONS

REST_PATH = "/webhooks/rest/webhook"
QUESTIONS = (
    *FAQ_QUESTIONS,
    "how many sessions will I need",
    "will it look natural",
    "can it be removed",
    "is it safe",
)
NOT_UNDERSTOOD = (
    "asdf qwerty",
    "what's the weather like tomorrow",
    "can you recommend a good pizza place",
    "blorp",
)
BOOKING = (
    "I'd like to book a consultation",
    "Sam Taylor",
    "sam.taylor@example.com",
    "next Tuesday afternoon",
    "covering my crown",
    "/affirm",
    "/affirm",
)
BOOKING_REFERENCE = "BK-"

# sender -> [message, answered] in the order sent (recorded before sending, so
# a message still in flight when the run stops is there, unanswered); and the
# senders whose booking was confirmed, with the reference they were given.
JOURNAL: dict[str, Any] = {"conversations": {}, "bookings": {}}


class Visitor(HttpUser):
    """A visitor on the clinic's site, one conversation per journey."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        token = self.environment.parsed_options.rest_token
        if token:
            self.client.headers["Authorization"] = f"Bearer {token}"

    def _new_conversation(self) -> str:
        self.client.cookies.clear()
        return f"locust-{uuid.uuid4().hex[:12]}"

    def _say(self, sender: str, text: str, name: str) -> str | None:
        """Send one message; the answer's text, or None if it failed."""
        turn = [text, False]
        JOURNAL["conversations"].setdefault(sender, []).append(turn)
        with self.client.post(
            REST_PATH,
            json={"sender": sender, "message": text},
            name=name,
            catch_response=True,
            timeout=120,
        ) as response:
            try:
                replies = response.json() if response.status_code == 200 else None
            except ValueError:
                replies = None
            if not replies:
                response.failure(f"status {response.status_code}, no answer")
                return None
            turn[1] = True
            return "\n".join(str(reply.get("text", "")) for reply in replies)

    def _think(self) -> None:
        self.wait()

    @task(6)
    def asks_questions(self) -> None:
        sender = self._new_conversation()
        for question in random.sample(QUESTIONS, k=random.randint(2, 4)):
            self._say(sender, question, "question")
            self._think()

    @task(2)
    def books_a_consultation(self) -> None:
        sender = self._new_conversation()
        self._say(sender, random.choice(QUESTIONS), "question")
        self._think()
        for text in BOOKING:
            answer = self._say(sender, text, "booking")
            if answer is None:
                return  # the visitor gives up
            if BOOKING_REFERENCE in answer:
                reference = answer.split(BOOKING_REFERENCE, 1)[1].split()[0]
                JOURNAL["bookings"][sender] = BOOKING_REFERENCE + reference.strip(".,")
            self._think()

    @task(2)
    def is_not_understood(self) -> None:
        sender = self._new_conversation()
        self._say(sender, random.choice(NOT_UNDERSTOOD), "not understood")
        self._think()
        self._say(sender, random.choice(QUESTIONS), "question")


@events.init_command_line_parser.add_listener
def add_options(parser: Any) -> None:
    """The REST token and the journal file, read by Locust from its environment."""
    parser.add_argument(
        "--rest-token", env_var="SMP_REST_TOKEN", default="", help="REST API token"
    )
    parser.add_argument(
        "--journal",
        env_var="SMP_LOCUST_JOURNAL",
        default="",
        help="where to write the messages each conversation sent",
    )


@events.test_stop.add_listener
def write_journal(environment: Any, **_kwargs: Any) -> None:
    path = environment.parsed_options.journal
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(JOURNAL, handle)
