"""The cluster keeps its visitors' conversations and bookings through faults:
a Rasa server or an action server killed, PostgreSQL restarted under load,
Redis stopped. (`make test-cluster`.)"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp
import socketio
from cluster_visitor import Visitor

from channels.guard import reply_text
from launcher.cluster import Cluster

BOOKING = (
    "I'd like to book a consultation",
    "Jane Doe",
    "jane.doe@example.com",
    "next Tuesday afternoon",
    "covering my crown",
    "/affirm",
)
CONFIRM = "/affirm"
QUESTIONS = ("does it hurt?", "how much does it cost", "how long does it last")


def test_the_servers_take_visitors_in_turn_and_share_their_conversations(cluster):
    first, second = Visitor(cluster), Visitor(cluster)
    first.say("does it hurt?")
    second.say("does it hurt?")
    assert {first.server, second.server} == set(cluster.rasa_names)
    # A message without the cookie goes wherever the balancer sends it, and
    # the conversation goes on there.
    first.server = None
    first.say("how much does it cost")
    first.server = None
    first.say("how long does it last")
    assert first.stored_user_turns() == first.sent


def test_a_visitor_whose_server_dies_is_answered_by_another_with_the_booking_intact(
    cluster: Cluster, restarts: list[str]
):
    visitor = Visitor(cluster, "killed-rasa")
    assert "name" in visitor.say(BOOKING[0]).lower()
    dead = visitor.server
    assert dead is not None
    restarts.append(dead)
    cluster.kill(dead)

    asked = visitor.say("Jane Doe")

    assert visitor.server not in (None, dead)
    # The form went on where it was: the name is taken, the contact is next.
    assert "email" in asked.lower() or "phone" in asked.lower()
    assert visitor.stored_user_turns() == [BOOKING[0], "Jane Doe"]


def test_with_its_action_server_killed_mid_booking_the_visitor_is_told_to_retry_and_the_retry_stores_one_booking(
    cluster: Cluster, restarts: list[str]
):
    visitor = Visitor(cluster, "killed-actions")
    assert "name" in visitor.say(BOOKING[0]).lower()
    assert visitor.server is not None
    actions = visitor.server.replace("rasa-", "actions-")
    restarts.append(actions)
    cluster.kill(actions)

    assert reply_text("action_failed") in visitor.say(BOOKING[1])

    cluster.start(actions)
    for text in BOOKING[1:]:
        visitor.say(text)
    done = visitor.say(CONFIRM)

    assert "BK-" in done
    assert visitor.stored_bookings() == 1


def book_retrying(visitor: Visitor, attempts: int = 30) -> str:
    """A whole booking, sending each message again while it is not answered,
    as a visitor would; returns the last answer."""
    answer = ""
    for text in (*BOOKING, CONFIRM):
        for _ in range(attempts):
            status, body = visitor.post(text)
            answered = status == 200 and isinstance(body, list) and body
            answer = (
                "\n".join(str(message.get("text", "")) for message in body)
                if answered
                else ""
            )
            if answered and reply_text("action_failed") not in answer:
                break
            time.sleep(1)
    return answer


def test_no_booking_is_lost_when_postgresql_restarts_under_load(
    cluster: Cluster, restarts: list[str]
):
    visitors = [Visitor(cluster, f"pg-restart-{index}") for index in range(6)]
    restarts.append("postgres")
    with ThreadPoolExecutor(max_workers=len(visitors) + 1) as pool:
        bookings = [pool.submit(book_retrying, visitor) for visitor in visitors]
        time.sleep(3)
        cluster.stop("postgres")
        time.sleep(2)
        cluster.start("postgres")
        answers = [booking.result(timeout=600) for booking in bookings]

    for visitor, answer in zip(visitors, answers, strict=True):
        assert "BK-" in answer, (visitor.sender, answer)
        assert visitor.stored_bookings() == 1, visitor.sender


def test_with_redis_stopped_visitors_are_still_answered(
    cluster: Cluster, restarts: list[str]
):
    visitor = Visitor(cluster, "no-redis")
    restarts.append("redis")
    cluster.stop("redis")

    answer = visitor.say("does it hurt?")
    assert answer and reply_text("action_failed") not in answer
    assert "name" in visitor.say(BOOKING[0]).lower()

    cluster.start("redis")
    assert visitor.say("Jane Doe")
    assert visitor.stored_user_turns() == [*visitor.sent]
    log = cluster.services[visitor.server or "rasa-1"].log_path
    assert log is not None
    assert "Redis cannot be reached" in log.read_text()


async def test_a_widget_conversation_over_long_polling_stays_with_its_server(
    cluster: Cluster,
):
    # The widget's socket.io session lives in one Rasa server's memory; only
    # the balancer's cookie brings each polling request back to it.
    jar = aiohttp.CookieJar(unsafe=True)  # keeps cookies for 127.0.0.1
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        client = socketio.AsyncClient(reconnection=False, http_session=http)
        replies: asyncio.Queue[Any] = asyncio.Queue()
        confirmed: asyncio.Queue[Any] = asyncio.Queue()
        client.on("bot_uttered", replies.put)
        client.on("session_confirm", confirmed.put)
        await client.connect(
            cluster.public_url,
            headers={"Origin": cluster.public_url},
            transports=["polling"],
            socketio_path="/socket.io",
            wait_timeout=10,
        )
        try:
            await client.emit("session_request", {"session_id": None})
            session = await asyncio.wait_for(confirmed.get(), timeout=15)
            for question in QUESTIONS:
                await client.emit(
                    "user_uttered",
                    {"message": question, "session_id": session["session_id"]},
                )
                reply = await asyncio.wait_for(replies.get(), timeout=60)
                assert reply.get("text")
            assert client.connected
        finally:
            await client.disconnect()
