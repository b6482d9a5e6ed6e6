"""`make run` never serves Rasa's HTTP API with the documented placeholder token."""

from __future__ import annotations

import stat

from launcher.run import http_api_token
from smp.settings import DEFAULT_RASA_TOKEN, Settings


def test_without_a_configured_token_one_is_generated_owner_only_and_kept(tmp_path):
    path = tmp_path / "var" / "rasa_token"
    settings = Settings.from_environment({})
    assert settings.rasa_token == DEFAULT_RASA_TOKEN
    token = http_api_token(settings, path)
    assert token != DEFAULT_RASA_TOKEN and len(token) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert http_api_token(settings, path) == token


def test_the_placeholder_set_by_hand_is_replaced_too(tmp_path):
    settings = Settings.from_environment({"RASA_TOKEN": DEFAULT_RASA_TOKEN})
    assert http_api_token(settings, tmp_path / "rasa_token") != DEFAULT_RASA_TOKEN


def test_a_configured_token_is_used_as_it_is(tmp_path):
    settings = Settings.from_environment({"RASA_TOKEN": "clinic-set-token-0123456789"})
    path = tmp_path / "rasa_token"
    assert http_api_token(settings, path) == "clinic-set-token-0123456789"
    assert not path.exists()
