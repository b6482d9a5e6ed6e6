"""Secrets generated on first use and kept in owner-only files under var/.

A fresh checkout then needs no set-up (`make run` on loopback), and a restart
keeps the same secret, so sessions and conversation tokens stay valid.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def load_or_create_secret(path: Path) -> str:
    """The secret kept in `path`, generated (mode 0600) the first time.

    A secret file that others can read (copied in, or from an old release) is
    made owner-only: anyone who reads it could forge what it signs.
    """
    if path.exists():
        secret = path.read_text(encoding="utf-8").strip()
        if secret:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
            return secret
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    # Created with owner-only permissions before the secret is written.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    return secret


# The header that carries the action server's shared secret on every call the
# Rasa server makes (written into var/endpoints.yml by the launcher).
ACTIONS_SECRET_HEADER = "X-Actions-Secret"  # noqa: S105 - a header name
ACTIONS_SECRET_FILE = Path(__file__).resolve().parent.parent / "var" / "actions_secret"


def actions_secret(configured: str, path: Path = ACTIONS_SECRET_FILE) -> str:
    """`ACTIONS_SECRET` when set, else the one generated once into `path`."""
    return configured or load_or_create_secret(path)
