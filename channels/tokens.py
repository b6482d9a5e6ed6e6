"""Conversation tokens: a browser's proof that a conversation is its own.

A conversation id is only a name. The socket.io channel hands each new
conversation a token, an HMAC-SHA256 of the id under a server secret, and joins
a browser to an existing conversation only when it shows that token. Without
the secret nobody can make a token for an id they merely know or guess.

The secret comes from `SMP_SESSION_SECRET`; when that is unset it is generated
once into `var/` (owner-only), so `make run` needs no set-up and restarting the
server keeps every visitor's conversation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from pathlib import Path

from smp.secrets import load_or_create_secret
from smp.settings import PROJECT_ROOT, get_settings

VAR_DIR = PROJECT_ROOT / "var"
SESSION_SECRET_FILE = VAR_DIR / "session_secret"
REST_TOKEN_FILE = VAR_DIR / "rest_api_token"
# Binds a token to its purpose, so a signature made with the same secret for
# something else can never pass as a conversation token.
_CONTEXT = b"smp-conversation-token-v1:"
MIN_SECRET_CHARS = 16

logger = logging.getLogger(__name__)


def configured_or_generated(configured: str, path: Path, variable: str) -> str:
    """`configured` if set (warning when it is short), else the one in `path`."""
    if not configured:
        secret = load_or_create_secret(path)
        logger.info("Using the secret kept in %s", path)
        return secret
    if len(configured) < MIN_SECRET_CHARS:
        logger.warning(
            "%s is only %d characters long: use at least %d random characters.",
            variable,
            len(configured),
            MIN_SECRET_CHARS,
        )
    return configured


def new_conversation_id() -> str:
    """A fresh, unguessable conversation id (128 random bits, hex)."""
    return secrets.token_hex(16)


class ConversationSigner:
    """Makes and checks conversation tokens with one secret."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("a conversation token needs a non-empty secret")
        self._key = secret.encode("utf-8")

    def sign(self, conversation_id: str) -> str:
        """The token for `conversation_id` (URL-safe base64, 43 characters)."""
        digest = hmac.new(
            self._key, _CONTEXT + conversation_id.encode("utf-8"), hashlib.sha256
        ).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def verify(self, conversation_id: object, token: object) -> bool:
        """Whether `token` was made for `conversation_id` with this secret."""
        if not isinstance(conversation_id, str) or not isinstance(token, str):
            return False
        if not conversation_id or len(token) > 128:
            return False
        return hmac.compare_digest(self.sign(conversation_id), token)


def session_signer() -> ConversationSigner:
    """The signer of conversation tokens, with `SMP_SESSION_SECRET` (or the
    secret generated into `var/`)."""
    secret = get_settings().session_secret
    return ConversationSigner(
        configured_or_generated(secret, SESSION_SECRET_FILE, "SMP_SESSION_SECRET")
    )
