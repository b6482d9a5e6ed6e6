"""WhatsApp Business Cloud API channel for the Rasa server.

Enabled in credentials under `channels.whatsapp.WhatsAppInput`; Meta calls
`/webhooks/whatsapp/webhook`:

- GET answers Meta's verification handshake when the verify token matches.
- POST carries messages. Each delivery must be signed with the app secret
  (`X-Hub-Signature-256`); unsigned or wrongly signed deliveries get 403.
  Accepted messages are recorded in the database first, so a message Meta
  delivers twice (to this server or another) is answered once, and the
  webhook answers 200 before the assistant works on the reply.

An answer's message says, in its footer, that a 👍 or 👎 reaction rates it.
Such a reaction is stored as the conversation's vote on that answer version
(channels/feedback.py), provided the assistant sent that message to that
conversation and served that answer there; it gets no reply, as reactions
need none. Other emoji, and a reaction taken back, change nothing.

Replies go out through the Graph API (`WhatsAppOutput`). Message text and
phone numbers are personal data: logs name a conversation only by a short
keyed digest of its WhatsApp id.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from channels import whatsapp_store as store
from channels.feedback import served_question
from channels.guard import reply_text
from channels.spec import ChannelSpec
from channels.whatsapp_format import (
    INTERACTIVE_BODY_LIMIT,
    TEXT_ONLY_REPLY,
    button_payload,
    chosen_payload,
    interactive_for,
    numbered_list,
    split_text,
    to_whatsapp_markup,
)
from channels.whatsapp_graph import DEFAULT_GRAPH_URL, GraphApiClient
from channels.widget_output import answer_reference
from smp import repository
from smp.db import session_scope

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
CHANNEL = ChannelSpec(
    name="WhatsApp",
    credentials_key=f"{__name__}.WhatsAppInput",
    variables={
        "access_token": "WHATSAPP_ACCESS_TOKEN",
        "phone_number_id": "WHATSAPP_PHONE_NUMBER_ID",
        "verify_token": "WHATSAPP_VERIFY_TOKEN",
        "app_secret": "WHATSAPP_APP_SECRET",
    },
    optional_variables={"graph_url": "WHATSAPP_GRAPH_URL"},
    secrets=frozenset({"access_token", "verify_token", "app_secret"}),
    tables=(
        store.WhatsAppDelivery,
        store.WhatsAppPendingChoices,
        store.WhatsAppAnswerMessage,
    ),
)
REQUIRED_CREDENTIALS = tuple(CHANNEL.variables)
# Message types that need no answer: a reaction to one of our messages (read
# as a vote by `parse_reactions`), WhatsApp's own notices (e.g. the visitor
# changed number), and the event sent when a visitor first opens the chat,
# before they have written anything.
SILENT_TYPES = frozenset({"reaction", "system", "request_welcome"})
# The reactions that are votes, once skin tones and variation selectors are
# taken off: thumbs up is helpful, thumbs down is not.
VOTE_EMOJI = {"\U0001f44d": True, "\U0001f44e": False}
EMOJI_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")
SEND_TIMEOUT_SECONDS = 10.0
PURGE_INTERVAL_SECONDS = 3600.0
SHUTDOWN_GRACE_SECONDS = 10.0


def valid_signature(body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether `header` is `sha256=<HMAC-SHA256 of body with the app secret>`."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    given = header[len("sha256=") :].strip().lower()
    return hmac.compare_digest(
        expected.encode("ascii"), given.encode("utf-8", "replace")
    )


def verification_challenge(args: Mapping[str, Any], verify_token: str) -> str | None:
    """The challenge to echo for a valid subscription handshake, else None."""
    mode = args.get("hub.mode")
    token = str(args.get("hub.verify_token") or "")
    challenge = args.get("hub.challenge")
    if mode != "subscribe" or challenge is None:
        return None
    if not hmac.compare_digest(token.encode("utf-8"), verify_token.encode("utf-8")):
        return None
    return str(challenge)


@dataclass(frozen=True)
class IncomingMessage:
    """One message from a visitor, as the assistant should read it.

    `text` is None for content the assistant cannot read (images, voice notes...).
    `typed` is True when the visitor typed `text`, so a number may pick an option;
    False when it is the payload of a button or list reply.
    """

    message_id: str
    sender_id: str
    text: str | None
    typed: bool


@dataclass(frozen=True)
class Reaction:
    """A visitor's emoji reaction to a message: `emoji` is "" when taken back."""

    message_id: str
    sender_id: str
    reacted_to: str
    emoji: str

    @property
    def vote(self) -> bool | None:
        """True for 👍, False for 👎 (in any skin tone), None for anything else."""
        return VOTE_EMOJI.get(EMOJI_MODIFIERS.sub("", self.emoji))


def _delivered_messages(payload: Any, phone_number_id: str) -> Iterable[Any]:
    """The message objects of one webhook delivery to `phone_number_id`, in order."""
    if not isinstance(payload, dict):
        return
    for entry in payload.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            if not isinstance(change, dict) or change.get("field") != "messages":
                continue
            value = change.get("value") or {}
            to_number = str((value.get("metadata") or {}).get("phone_number_id") or "")
            if to_number and to_number != str(phone_number_id):
                continue
            yield from value.get("messages") or []


def parse_webhook(payload: Any, phone_number_id: str) -> list[IncomingMessage]:
    """The visitor messages in one webhook delivery, in order.

    Status callbacks (sent, delivered, read), reactions, system notices and
    messages to another phone number of the same app are left out.
    """
    read = (_read_message(m) for m in _delivered_messages(payload, phone_number_id))
    return [incoming for incoming in read if incoming is not None]


def parse_reactions(payload: Any, phone_number_id: str) -> list[Reaction]:
    """The visitors' reactions in one webhook delivery, in order."""
    found = []
    for message in _delivered_messages(payload, phone_number_id):
        if not isinstance(message, dict) or message.get("type") != "reaction":
            continue
        reaction = message.get("reaction")
        if not isinstance(reaction, dict):
            continue
        ids = message.get("id"), message.get("from"), reaction.get("message_id")
        emoji = reaction.get("emoji") or ""
        if not all(isinstance(part, str) and part for part in ids):
            continue
        if isinstance(emoji, str):
            found.append(Reaction(*(str(part) for part in ids), emoji=emoji))
    return found


def _read_message(message: Any) -> IncomingMessage | None:
    if not isinstance(message, dict):
        return None
    message_id, sender_id = message.get("id"), message.get("from")
    kind = message.get("type")
    if not message_id or not sender_id or kind in SILENT_TYPES:
        return None
    text: str | None = None
    typed = False
    if kind == "text":
        text = (message.get("text") or {}).get("body")
        typed = True
    elif kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        text = reply.get("id") or reply.get("title")
    elif kind == "button":
        button = message.get("button") or {}
        text = button.get("payload") or button.get("text")
    if text is not None and not str(text).strip():
        return None
    return IncomingMessage(
        message_id=str(message_id),
        sender_id=str(sender_id),
        text=None if text is None else str(text),
        typed=typed,
    )


class ConversationKeys:
    """Pseudonymous keys for WhatsApp ids, derived with the app secret.

    Phone numbers are few enough that a plain hash could be reversed by trying
    them all; a keyed digest cannot without the secret.
    """

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode("utf-8")

    def key(self, wa_id: str) -> str:
        """The database key of a conversation."""
        return hmac.new(self._secret, wa_id.encode("utf-8"), hashlib.sha256).hexdigest()

    def ref(self, wa_id: str) -> str:
        """A short id of a conversation for log lines."""
        return self.key(wa_id)[:12]


class WhatsAppOutput(OutputChannel):
    """Sends the assistant's replies to one visitor through the Graph API.

    One instance serves one turn: when several replies in a turn need numbered
    lists, numbering continues (1-4, then 5-6) so every number stays unambiguous.
    """

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def __init__(self, graph: GraphApiClient, keys: ConversationKeys) -> None:
        self.graph = graph
        self.keys = keys
        self._numbered: list[dict[str, str]] = []

    async def send_text_message(
        self, recipient_id: str, text: str, **kwargs: Any
    ) -> None:
        await self._send_text(recipient_id, to_whatsapp_markup(text or ""))

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        answer = answer_reference(kwargs.get("answer"))
        text = to_whatsapp_markup(text or "").strip()
        # A long text goes first as text; its last part carries the buttons.
        *before, body = split_text(text, INTERACTIVE_BODY_LIMIT) or [""]
        interactive = interactive_for(body, buttons)
        sent: list[str | None] = []
        if interactive is not None:
            for part in before:
                sent += await self._send_text(recipient_id, part)
            if answer is not None:
                interactive["footer"] = {"text": reply_text("vote_reaction_hint")}
            message = {"type": "interactive", "interactive": interactive}
            sent.append(await self._send(recipient_id, message))
        else:
            start = len(self._numbered) + 1
            self._numbered.extend(
                {
                    "title": str(button.get("title") or ""),
                    "payload": button_payload(button),
                }
                for button in buttons
            )
            # Saved before sending: the visitor cannot answer a list not yet shown.
            await self._save_choices(recipient_id, list(self._numbered))
            sent += await self._send_text(
                recipient_id, numbered_list(text, buttons, start)
            )
        if answer is not None:
            ids = [message_id for message_id in sent if message_id]
            await self._remember_answer(recipient_id, ids, answer)

    async def send_image_url(
        self, recipient_id: str, image: str, **kwargs: Any
    ) -> None:
        await self._send(recipient_id, {"type": "image", "image": {"link": image}})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Send a custom payload that is a WhatsApp message object (has a `type`)."""
        if isinstance(json_message, dict) and json_message.get("type"):
            await self._send(recipient_id, json_message)
        else:
            logger.warning(
                "WhatsApp: skipped a custom reply to conversation %s that is not a "
                "WhatsApp message object.",
                self.keys.ref(recipient_id),
            )

    async def _send_text(self, recipient_id: str, text: str) -> list[str | None]:
        """Send `text`, already in WhatsApp's markup, in as many messages as it
        needs; their ids."""
        return [
            await self._send(recipient_id, {"type": "text", "text": {"body": part}})
            for part in split_text(text)
        ]

    async def _send(self, recipient_id: str, message: dict[str, Any]) -> str | None:
        return await self.graph.send(
            recipient_id, message, ref=self.keys.ref(recipient_id)
        )

    async def _remember_answer(
        self, recipient_id: str, message_ids: list[str], answer: dict[str, int]
    ) -> None:
        """Record the messages carrying `answer`, so a reaction can rate it."""
        key = self.keys.key(recipient_id)

        def save() -> None:
            with session_scope() as session:
                store.remember_answer_messages(
                    session, message_ids, key, answer["id"], answer["version"]
                )

        try:
            await asyncio.to_thread(save)
        except SQLAlchemyError as exc:
            # The answer went out; a reaction to it is then not counted.
            logger.error(
                "WhatsApp: could not record the answer sent to conversation %s: %s",
                self.keys.ref(recipient_id),
                type(exc).__name__,
            )

    async def _save_choices(
        self, recipient_id: str, options: list[dict[str, str]]
    ) -> None:
        key = self.keys.key(recipient_id)

        def save() -> None:
            with session_scope() as session:
                store.save_choices(session, key, options)

        try:
            await asyncio.to_thread(save)
        except SQLAlchemyError as exc:
            # The list still goes out; a typed number is then read as plain text.
            logger.error(
                "WhatsApp: could not save the options sent to conversation %s: %s",
                self.keys.ref(recipient_id),
                type(exc).__name__,
            )


class WhatsAppInput(InputChannel):
    """Receives WhatsApp Business Cloud API webhooks.

    Credentials: `access_token`, `phone_number_id`, `verify_token`, `app_secret`
    and optionally `graph_url` (default: Graph API v19.0).

    Meta expects a quick 200: the webhook records the messages, answers, and
    the assistant works on the replies in a background task.
    """

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        missing = [key for key in REQUIRED_CREDENTIALS if not credentials.get(key)]
        if missing:
            raise RasaException(
                f"The WhatsApp channel needs these credentials: {', '.join(missing)}."
            )
        return cls(
            access_token=str(credentials["access_token"]),
            phone_number_id=str(credentials["phone_number_id"]),
            verify_token=str(credentials["verify_token"]),
            app_secret=str(credentials["app_secret"]),
            graph_url=str(credentials.get("graph_url") or DEFAULT_GRAPH_URL),
        )

    def __init__(
        self,
        access_token: str,
        phone_number_id: str,
        verify_token: str,
        app_secret: str,
        graph_url: str = DEFAULT_GRAPH_URL,
    ) -> None:
        self.phone_number_id = phone_number_id
        self.verify_token = verify_token
        self.app_secret = app_secret
        self.graph = GraphApiClient(
            graph_url,
            phone_number_id,
            access_token,
            timeout_seconds=SEND_TIMEOUT_SECONDS,
        )
        self.keys = ConversationKeys(app_secret)
        self._tasks: set[asyncio.Task] = set()
        self._last_purge = 0.0

    def get_output_channel(self) -> OutputChannel:
        return WhatsAppOutput(self.graph, self.keys)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        whatsapp_webhook = Blueprint("whatsapp_webhook", __name__)

        @whatsapp_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @whatsapp_webhook.route("/webhook", methods=["GET", "POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if request.method == "GET":
                challenge = verification_challenge(request.args, self.verify_token)
                if challenge is None:
                    logger.warning("WhatsApp: refused a webhook verification request.")
                    return response.text("Forbidden", status=403)
                return response.text(challenge)
            return await self._receive(request, on_new_message)

        @whatsapp_webhook.listener("before_server_stop")
        async def finish_replies(*_: Any) -> None:
            if self._tasks:
                await asyncio.wait(set(self._tasks), timeout=SHUTDOWN_GRACE_SECONDS)

        @whatsapp_webhook.listener("after_server_stop")
        async def close_graph_client(*_: Any) -> None:
            await self.graph.close()

        return whatsapp_webhook

    async def _receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        body = request.body or b""
        if not valid_signature(
            body, request.headers.get(SIGNATURE_HEADER), self.app_secret
        ):
            logger.warning(
                "WhatsApp: refused a webhook delivery without a valid signature."
            )
            return response.json({"status": "invalid signature"}, status=403)
        try:
            payload = json.loads(body)
        except ValueError:
            return response.json({"status": "invalid JSON"}, status=400)
        messages = parse_webhook(payload, self.phone_number_id)
        reactions = parse_reactions(payload, self.phone_number_id)
        try:
            votes = [await self._take_vote(request, r) for r in reactions]
            accepted = (
                await asyncio.to_thread(self.accept, messages) if messages else []
            )
        except SQLAlchemyError as exc:
            # Not 200: Meta delivers the webhook again later.
            logger.error(
                "WhatsApp: could not record incoming messages: %s", type(exc).__name__
            )
            return response.json({"status": "unavailable"}, status=503)
        if accepted:
            task = asyncio.get_running_loop().create_task(
                self._answer(accepted, on_new_message)
            )
            # Held until done: the loop keeps only weak references to tasks.
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return response.json(
            {
                "status": "ok",
                "accepted": len(accepted),
                "duplicates": len(messages) - len(accepted),
                "votes": sum(votes),
            }
        )

    async def _take_vote(self, request: Request, reaction: Reaction) -> bool:
        """Store `reaction` as a vote if it is one on an answer of this
        conversation; whether it was stored.

        The vote and the reaction's id are stored together, so a re-delivered
        reaction cannot overwrite a later one.

        Raises:
            SQLAlchemyError: the database could not be read or written.
        """
        helpful = reaction.vote
        if helpful is None:
            return False
        key = self.keys.key(reaction.sender_id)

        def answer_of() -> tuple[int, int] | None:
            with session_scope() as session:
                return store.answer_of_message(session, reaction.reacted_to, key)

        answer = await asyncio.to_thread(answer_of)
        if answer is None:
            return False
        tracker = await request.app.ctx.agent.tracker_store.retrieve(reaction.sender_id)
        question = served_question(tracker.events if tracker else [], *answer)
        if question is None:
            return False
        vote = repository.FeedbackVote(
            conversation_id=reaction.sender_id,
            answer_id=answer[0],
            answer_version=answer[1],
            helpful=helpful,
            comment="",
            question=question,
            channel=self.name(),
        )

        def save() -> bool:
            with session_scope() as session:
                if not store.claim_delivery(session, reaction.message_id):
                    return False
                return repository.record_feedback(session, vote)

        try:
            saved = await asyncio.to_thread(save)
        except IntegrityError:
            return False  # another server took the same reaction just now
        if saved:
            logger.info(
                "WhatsApp: stored a vote on answer %s in conversation %s.",
                answer[0],
                self.keys.ref(reaction.sender_id),
            )
        return saved

    def accept(self, messages: Iterable[IncomingMessage]) -> list[IncomingMessage]:
        """The messages to answer, as the assistant should read them.

        Records each message id, leaving out ids recorded before (re-deliveries),
        and reads a typed number as the payload of the numbered option it picks.
        Blocking database work: the webhook runs it in a worker thread.
        """
        self._purge_if_due()
        accepted = []
        for message in messages:
            try:
                with session_scope() as session:
                    kept = self._accept_one(session, message)
            except IntegrityError:
                kept = None  # another server recorded the same message just now
            if kept is None:
                logger.info(
                    "WhatsApp: ignored a re-delivery of message %s.",
                    store.message_digest(message.message_id)[:12],
                )
            else:
                accepted.append(kept)
        return accepted

    def _accept_one(
        self, session: Session, message: IncomingMessage
    ) -> IncomingMessage | None:
        if not store.claim_delivery(session, message.message_id):
            return None
        if message.text is None:
            return message
        options = store.take_choices(session, self.keys.key(message.sender_id))
        payload = chosen_payload(message.text, options) if message.typed else None
        return replace(message, text=payload, typed=False) if payload else message

    def _purge_if_due(self) -> None:
        now = time.monotonic()
        if self._last_purge and now - self._last_purge < PURGE_INTERVAL_SECONDS:
            return
        self._last_purge = now
        try:
            with session_scope() as session:
                store.purge_expired(session)
        except SQLAlchemyError as exc:
            logger.warning(
                "WhatsApp: could not purge old records: %s", type(exc).__name__
            )

    async def _answer(
        self,
        messages: list[IncomingMessage],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        for message in messages:
            output = WhatsAppOutput(self.graph, self.keys)
            try:
                if message.text is None:
                    await output.send_text_message(message.sender_id, TEXT_ONLY_REPLY)
                    continue
                await on_new_message(
                    UserMessage(
                        text=message.text,
                        output_channel=output,
                        sender_id=message.sender_id,
                        input_channel=self.name(),
                        message_id=message.message_id,
                    )
                )
            except Exception as exc:  # noqa: BLE001 - one failed turn must not stop the rest
                logger.error(
                    "WhatsApp: could not answer a message in conversation %s: %s",
                    self.keys.ref(message.sender_id),
                    type(exc).__name__,
                )
                logger.debug("WhatsApp turn failure", exc_info=True)
