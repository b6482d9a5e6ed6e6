"""What the WhatsApp channel remembers between webhook deliveries.

Both tables live in the clinic database, so they survive restarts and are
shared by every Rasa server behind a load balancer:

- `whatsapp_deliveries`: ids of messages already accepted. Meta re-delivers a
  webhook it thinks failed for up to seven days; a known id is not answered twice.
- `whatsapp_pending_choices`: the numbered options last sent to a conversation,
  so a later "2" can be read as the second option's payload.
- `whatsapp_answer_messages`: which answer version each message the assistant
  sent carries, so a visitor's 👍 or 👎 reaction to it is read as a vote on
  that answer.

No table holds a phone number or message text: message ids are stored as
SHA-256 digests and conversations under a key derived with the app secret.
Each function takes the caller's `session`; none opens or commits one.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import JSON, Column, DateTime, Integer, String, delete
from sqlalchemy.orm import Session

from smp.db import Base, utcnow

DELIVERY_TTL = dt.timedelta(days=7)
CHOICES_TTL = dt.timedelta(hours=24)
# A reaction to an answer older than this is not counted as a vote.
ANSWER_MESSAGE_TTL = dt.timedelta(days=30)


class WhatsAppDelivery(Base):
    """A WhatsApp message id (as a digest) that the channel has accepted."""

    __tablename__ = "whatsapp_deliveries"

    message_digest = Column(String(64), primary_key=True)
    received_at = Column(DateTime, nullable=False, default=utcnow, index=True)


class WhatsAppPendingChoices(Base):
    """The numbered options most recently sent to one WhatsApp conversation."""

    __tablename__ = "whatsapp_pending_choices"

    conversation_key = Column(String(64), primary_key=True)
    # [{"title": ..., "payload": ...}, ...] in the order they were numbered.
    options = Column(JSON, nullable=False, default=list)
    sent_at = Column(DateTime, nullable=False, default=utcnow, index=True)


class WhatsAppAnswerMessage(Base):
    """A message the assistant sent that carries (part of) an answer."""

    __tablename__ = "whatsapp_answer_messages"

    message_digest = Column(String(64), primary_key=True)
    conversation_key = Column(String(64), nullable=False)
    answer_id = Column(Integer, nullable=False)
    answer_version = Column(Integer, nullable=False)
    sent_at = Column(DateTime, nullable=False, default=utcnow, index=True)


def message_digest(message_id: str) -> str:
    """The stored form of a WhatsApp message id."""
    return hashlib.sha256(message_id.encode("utf-8")).hexdigest()


def claim_delivery(session: Session, message_id: str) -> bool:
    """Record `message_id` as accepted; False if it was accepted before.

    Two servers claiming the same id at once both pass the lookup; the primary
    key then makes one commit fail with an IntegrityError, which the caller
    treats as "already accepted".
    """
    digest = message_digest(message_id)
    if session.get(WhatsAppDelivery, digest) is not None:
        return False
    session.add(WhatsAppDelivery(message_digest=digest, received_at=utcnow()))
    session.flush()
    return True


def save_choices(
    session: Session, conversation_key: str, options: list[dict[str, str]]
) -> None:
    """Remember `options` as the numbered choices open in a conversation."""
    row = session.get(WhatsAppPendingChoices, conversation_key)
    if row is None:
        session.add(
            WhatsAppPendingChoices(
                conversation_key=conversation_key, options=options, sent_at=utcnow()
            )
        )
    else:
        row.options = options
        row.sent_at = utcnow()


def take_choices(session: Session, conversation_key: str) -> list[dict[str, str]]:
    """The open numbered choices of a conversation, closing them.

    Any new message from the visitor closes the choices: a number typed later
    answers a later question, not an old list.
    """
    row = session.get(WhatsAppPendingChoices, conversation_key)
    if row is None:
        return []
    options = list(row.options or [])
    fresh = row.sent_at >= utcnow() - CHOICES_TTL
    session.delete(row)
    return options if fresh else []


def remember_answer_messages(
    session: Session,
    message_ids: list[str],
    conversation_key: str,
    answer_id: int,
    version: int,
) -> None:
    """Record that the messages `message_ids` carry that answer version."""
    for message_id in message_ids:
        session.merge(
            WhatsAppAnswerMessage(
                message_digest=message_digest(message_id),
                conversation_key=conversation_key,
                answer_id=answer_id,
                answer_version=version,
                sent_at=utcnow(),
            )
        )


def answer_of_message(
    session: Session, message_id: str, conversation_key: str
) -> tuple[int, int] | None:
    """(answer id, version) that message `message_id` carries, if the assistant
    sent it to that conversation within `ANSWER_MESSAGE_TTL`."""
    row = session.get(WhatsAppAnswerMessage, message_digest(message_id))
    if row is None or row.conversation_key != conversation_key:
        return None
    if row.sent_at < utcnow() - ANSWER_MESSAGE_TTL:
        return None
    return int(row.answer_id), int(row.answer_version)


def purge_expired(session: Session) -> None:
    """Forget delivery ids, choices and answer messages older than they can matter."""
    now = utcnow()
    session.execute(
        delete(WhatsAppDelivery).where(
            WhatsAppDelivery.received_at < now - DELIVERY_TTL
        )
    )
    session.execute(
        delete(WhatsAppPendingChoices).where(
            WhatsAppPendingChoices.sent_at < now - CHOICES_TTL
        )
    )
    session.execute(
        delete(WhatsAppAnswerMessage).where(
            WhatsAppAnswerMessage.sent_at < now - ANSWER_MESSAGE_TTL
        )
    )
