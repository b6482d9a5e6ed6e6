"""A small client for sending messages through the WhatsApp Business Cloud API."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v19.0"


class GraphApiClient:
    """Posts messages to `{graph_url}/{phone_number_id}/messages`.

    One HTTP session is opened lazily on the server's event loop and reused.
    Failures are logged with the status and Graph error code only: the response
    may quote the recipient, and message text and phone numbers are personal data.
    """

    def __init__(
        self,
        graph_url: str,
        phone_number_id: str,
        access_token: str,
        timeout_seconds: float = 10.0,
    ) -> None:
        self.messages_url = f"{graph_url.rstrip('/')}/{phone_number_id}/messages"
        self._access_token = access_token
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                headers={"Authorization": f"Bearer {self._access_token}"},
            )
        return self._session

    async def send(
        self, recipient: str, message: dict[str, Any], ref: str
    ) -> str | None:
        """Send one message object (`type` and its content) to `recipient`.

        Args:
            recipient: the visitor's WhatsApp id.
            message: e.g. `{"type": "text", "text": {"body": "..."}}`.
            ref: a short pseudonymous id of the conversation, for the logs.

        Returns:
            The id the Graph API gave the message ("" if it named none), or
            None if the message was not accepted.
        """
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": recipient,
            **message,
        }
        try:
            async with self._http().post(self.messages_url, json=body) as response:
                if response.status < 300:
                    return await _message_id(response)
                error = await _graph_error(response)
                logger.error(
                    "WhatsApp send failed for conversation %s: HTTP %s, "
                    "Graph error code %s (fbtrace_id %s)",
                    ref,
                    response.status,
                    error.get("code"),
                    error.get("fbtrace_id"),
                )
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            logger.error(
                "WhatsApp send failed for conversation %s: %s",
                ref,
                type(exc).__name__,
            )
        return None

    async def close(self) -> None:
        """Close the HTTP session (at server shutdown)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


async def _graph_error(response: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        payload = await response.json(content_type=None)
    except (ValueError, aiohttp.ClientError):
        return {}
    error = payload.get("error") if isinstance(payload, dict) else None
    return error if isinstance(error, dict) else {}


async def _message_id(response: aiohttp.ClientResponse) -> str:
    try:
        payload = await response.json(content_type=None)
    except (ValueError, aiohttp.ClientError):
        return ""
    messages = payload.get("messages") if isinstance(payload, dict) else None
    first = messages[0] if isinstance(messages, list) and messages else None
    message_id = first.get("id") if isinstance(first, dict) else None
    return message_id if isinstance(message_id, str) else ""
