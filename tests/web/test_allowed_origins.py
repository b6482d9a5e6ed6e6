"""A clinic can limit the widget's socket.io connections to its own site."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from launcher.testing import RunningStack, running_stack

pytestmark = pytest.mark.e2e

CLINIC_SITE = "https://www.clinic.example"


@pytest.fixture(scope="module")
def limited_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    with running_stack(
        tmp_path_factory.mktemp("origins"),
        env={"WIDGET_ALLOWED_ORIGINS": CLINIC_SITE},
        log_suffix="-origins",
    ) as stack:
        yield stack


def socketio_handshake(rasa_url: str, origin: str) -> int:
    """Status of an Engine.IO polling handshake sent from `origin`."""
    request = urllib.request.Request(
        f"{rasa_url}/socket.io/?EIO=4&transport=polling",
        headers={"Origin": origin},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_the_clinic_site_may_connect(limited_stack):
    assert socketio_handshake(limited_stack.rasa_url, CLINIC_SITE) == 200


def test_another_site_is_refused(limited_stack):
    assert socketio_handshake(limited_stack.rasa_url, "https://copycat.example") == 400


def test_without_a_list_any_site_may_connect(assistant_stack):
    assert (
        socketio_handshake(assistant_stack.rasa_url, "https://copycat.example") == 200
    )
