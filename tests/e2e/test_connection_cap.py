"""One visitor address cannot hold the widget's channel open without limit.

Connections from one address, arriving through the clinic's reverse proxy,
are counted while they are open: past `MAX_CONNECTIONS_PER_ADDRESS` (20 by
default) the next is refused, other addresses are not affected, and a closed
connection makes room again.
"""

from __future__ import annotations

import asyncio
import random

import pytest
import socketio
from visitors import WidgetVisitor, texts

from launcher.testing import widget_origins
from smp.settings import LIMITS

pytestmark = pytest.mark.e2e

CAP = LIMITS.connections_per_address


def new_address() -> str:
    return (
        f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    )


async def open_tabs(stack, address: str, count: int) -> list[WidgetVisitor]:
    origin = widget_origins(stack.workdir)[0]
    tabs = []
    for _ in range(count):
        tabs.append(
            await WidgetVisitor(stack.rasa_url, origin, forwarded_for=address).connect()
        )
    return tabs


async def close_all(tabs: list[WidgetVisitor]) -> None:
    # At once: a long-polling client may wait for its pending poll to close.
    await asyncio.gather(*(tab.close() for tab in tabs))


async def test_one_address_opening_too_many_connections_is_refused_past_the_cap(
    assistant_stack,
):
    address = new_address()
    tabs = await open_tabs(assistant_stack, address, CAP)
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await open_tabs(assistant_stack, address, 1)
        # Another visitor is served as usual meanwhile.
        (other,) = await open_tabs(assistant_stack, new_address(), 1)
        tabs.append(other)
        conversation, _ = await other.request_session()
        assert texts(await other.say("does it hurt?", conversation))
    finally:
        await close_all(tabs)


async def test_a_closed_connection_makes_room_for_a_new_one(assistant_stack):
    address = new_address()
    tabs = await open_tabs(assistant_stack, address, CAP)
    try:
        await tabs.pop().close()
        tabs += await open_tabs(assistant_stack, address, 1)
        conversation, _ = await tabs[-1].request_session()
        assert texts(await tabs[-1].say("does it hurt?", conversation))
    finally:
        await close_all(tabs)
