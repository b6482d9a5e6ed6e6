"""Which messaging channels the Rasa server starts, from the environment."""

from __future__ import annotations

import logging

import yaml
from rasa.shared.utils.io import read_config_file

from channels.registry import CHANNELS
from channels.telegram import CHANNEL as TELEGRAM
from channels.whatsapp import CHANNEL as WHATSAPP
from launcher import runtime
from launcher.runtime import messaging_channels
from smp.settings import Settings

WHATSAPP_CHANNEL = WHATSAPP.credentials_key
TELEGRAM_CHANNEL = TELEGRAM.credentials_key


def credentials_config(env):
    return runtime.credentials_config(Settings.from_environment(env))


WHATSAPP_ENV = {
    "WHATSAPP_ACCESS_TOKEN": "wa-token",
    "WHATSAPP_PHONE_NUMBER_ID": "109876543210",
    "WHATSAPP_VERIFY_TOKEN": "wa-verify",
    "WHATSAPP_APP_SECRET": "wa-secret",
}
TELEGRAM_ENV = {
    "TELEGRAM_ACCESS_TOKEN": "123:tg-token",
    "TELEGRAM_BOT_NAME": "smp_clinic_bot",
    "TELEGRAM_WEBHOOK_URL": "https://bot.example.com/webhooks/telegram/webhook",
}


def test_no_messaging_channel_without_configuration():
    assert messaging_channels({}) == {}


def test_every_registered_channel_starts_only_with_all_its_variables(caplog):
    for channel in CHANNELS:
        if channel.always_on:
            continue
        full = {name: f"value-{name}" for name in channel.variables.values()}
        enabled = messaging_channels(full)[channel.credentials_key]
        assert set(enabled) == set(channel.variables)
        for key in channel.secrets & set(channel.variables):
            assert enabled[key] == f"${{{channel.variables[key]}}}"
        first, *_ = channel.variables.values()
        partial = {name: value for name, value in full.items() if name != first}
        if partial:
            caplog.clear()
            with caplog.at_level(logging.WARNING, logger="launcher.runtime"):
                assert channel.credentials_key not in messaging_channels(partial)
            assert first in caplog.text


def test_credentials_without_environment_have_no_telegram_or_whatsapp():
    credentials = credentials_config({})
    assert TELEGRAM_CHANNEL not in credentials
    assert WHATSAPP_CHANNEL not in credentials
    assert {"channels.rest.RestInput", "channels.socketio.SocketIOInput"} <= set(
        credentials
    )
    assert "rest" not in credentials  # Rasa's own, with the shared `default` chat.


def test_telegram_is_enabled_with_all_three_variables():
    telegram = messaging_channels(TELEGRAM_ENV)[TELEGRAM_CHANNEL]
    assert telegram == {
        "access_token": "${TELEGRAM_ACCESS_TOKEN}",
        "verify": "smp_clinic_bot",
        "webhook_url": "https://bot.example.com/webhooks/telegram/webhook",
    }


def test_partial_telegram_configuration_warns_and_is_not_enabled(caplog):
    env = {k: v for k, v in TELEGRAM_ENV.items() if k != "TELEGRAM_BOT_NAME"}
    with caplog.at_level(logging.WARNING, logger="launcher.runtime"):
        assert messaging_channels(env) == {}
    assert "Telegram channel not enabled" in caplog.text
    assert "TELEGRAM_BOT_NAME" in caplog.text
    assert "TELEGRAM_WEBHOOK_URL" not in caplog.text


def test_whatsapp_is_enabled_with_all_four_variables():
    whatsapp = messaging_channels(WHATSAPP_ENV)[WHATSAPP_CHANNEL]
    assert whatsapp == {
        "access_token": "${WHATSAPP_ACCESS_TOKEN}",
        "phone_number_id": "109876543210",
        "verify_token": "${WHATSAPP_VERIFY_TOKEN}",
        "app_secret": "${WHATSAPP_APP_SECRET}",
    }


def test_the_graph_url_can_be_overridden():
    env = {**WHATSAPP_ENV, "WHATSAPP_GRAPH_URL": "http://127.0.0.1:8999/v19.0"}
    whatsapp = messaging_channels(env)[WHATSAPP_CHANNEL]
    assert whatsapp["graph_url"] == "http://127.0.0.1:8999/v19.0"


def test_partial_whatsapp_configuration_warns_with_the_missing_variables(caplog):
    env = {"WHATSAPP_ACCESS_TOKEN": "wa-token", "WHATSAPP_APP_SECRET": "s"}
    with caplog.at_level(logging.WARNING, logger="launcher.runtime"):
        assert messaging_channels(env) == {}
    assert "WhatsApp channel not enabled" in caplog.text
    assert "WHATSAPP_PHONE_NUMBER_ID" in caplog.text
    assert "WHATSAPP_VERIFY_TOKEN" in caplog.text


def test_secrets_stay_out_of_the_file_and_rasa_reads_them_from_the_environment(
    tmp_path, monkeypatch
):
    env = {**WHATSAPP_ENV, **TELEGRAM_ENV}
    path = tmp_path / "credentials.yml"
    path.write_text(yaml.safe_dump(credentials_config(env)))
    written = path.read_text()
    for secret in ("wa-token", "wa-verify", "wa-secret", "123:tg-token"):
        assert secret not in written

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    loaded = read_config_file(path)
    whatsapp, telegram = loaded[WHATSAPP_CHANNEL], loaded[TELEGRAM_CHANNEL]
    assert whatsapp["access_token"] == env["WHATSAPP_ACCESS_TOKEN"]
    assert whatsapp["verify_token"] == env["WHATSAPP_VERIFY_TOKEN"]
    assert whatsapp["app_secret"] == env["WHATSAPP_APP_SECRET"]
    assert telegram["access_token"] == env["TELEGRAM_ACCESS_TOKEN"]


def test_the_widget_channel_accepts_the_demo_page_unless_origins_are_listed():
    from channels.socketio import SocketIOInput

    default = credentials_config({"WEB_PORT": "8100"})[
        "channels.socketio.SocketIOInput"
    ]
    assert default["allowed_origins"] == [
        "http://127.0.0.1:8100",
        "http://localhost:8100",
    ]
    listed = credentials_config(
        {
            "WIDGET_ALLOWED_ORIGINS": "https://clinic.example, https://www.clinic.example/"
        }
    )["channels.socketio.SocketIOInput"]
    assert listed["allowed_origins"] == [
        "https://clinic.example",
        "https://www.clinic.example/",
    ]
    channel = SocketIOInput.from_credentials(listed)
    assert channel.allowed_origins == [
        "https://clinic.example",
        "https://www.clinic.example",
    ]
    assert channel.session_persistence is True


def test_the_rasa_server_allows_browsers_from_the_allowed_origins_only(tmp_path):
    from launcher.services import rasa_server

    def cors(service):
        command = list(service.command)
        start = command.index("--cors") + 1
        end = next(i for i in range(start, len(command)) if command[i].startswith("--"))
        return command[start:end]

    common = {"token": "t", "endpoints": tmp_path, "credentials": tmp_path}
    demo = Settings.from_environment({"WEB_PORT": "8100"}).widget_allowed_origins
    assert cors(rasa_server(5005, cors_origins=demo, **common)) == [
        "http://127.0.0.1:8100",
        "http://localhost:8100",
    ]
    assert "*" not in rasa_server(5005, **common).command
