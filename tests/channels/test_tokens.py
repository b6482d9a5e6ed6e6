"""Conversation tokens: only the server's secret makes a token for an id."""

from __future__ import annotations

import stat

import pytest

from channels.tokens import (
    ConversationSigner,
    configured_or_generated,
    new_conversation_id,
)
from smp.secrets import load_or_create_secret

SECRET = "a-test-secret-of-enough-length"


def test_a_token_verifies_for_its_own_conversation_only():
    signer = ConversationSigner(SECRET)
    token = signer.sign("conversation-a")
    assert signer.verify("conversation-a", token)
    assert not signer.verify("conversation-b", token)


def test_a_token_made_with_another_secret_or_altered_is_refused():
    signer = ConversationSigner(SECRET)
    forged = ConversationSigner("another-secret-of-enough-length").sign("abc")
    assert not signer.verify("abc", forged)
    token = signer.sign("abc")
    altered = ("A" if token[0] != "A" else "B") + token[1:]
    assert not signer.verify("abc", altered)
    assert not signer.verify("abc", token[:-1])


@pytest.mark.parametrize(
    ("conversation", "token"),
    [(None, "x"), ("abc", None), ("abc", 42), (["abc"], "x"), ("", ""), ("abc", "")],
)
def test_missing_or_non_text_ids_and_tokens_never_verify(conversation, token):
    assert not ConversationSigner(SECRET).verify(conversation, token)


def test_tokens_are_url_safe_and_a_fixed_length():
    token = ConversationSigner(SECRET).sign("abc")
    assert len(token) == 43
    assert set(token) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )


def test_an_empty_secret_is_refused():
    with pytest.raises(ValueError):
        ConversationSigner("")


def test_new_conversation_ids_are_random_128_bit_hex():
    ids = {new_conversation_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


def test_a_missing_secret_is_generated_owner_only_and_kept(tmp_path):
    path = tmp_path / "var" / "session_secret"
    first = load_or_create_secret(path)
    assert len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == first


def test_a_configured_secret_wins_over_the_file_and_a_short_one_warns(tmp_path, caplog):
    path = tmp_path / "secret"
    assert configured_or_generated(SECRET, path, "SMP_SESSION_SECRET") == SECRET
    assert not path.exists()
    configured_or_generated("short", path, "SMP_SESSION_SECRET")
    assert "SMP_SESSION_SECRET is only 5 characters" in caplog.text
    assert configured_or_generated("", path, "SMP_SESSION_SECRET") == (
        path.read_text().strip()
    )
