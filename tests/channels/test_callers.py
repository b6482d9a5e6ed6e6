"""Who is calling: local tools, visitors behind the proxy, and allowed sites."""

from __future__ import annotations

import pytest

from channels.callers import Caller, OriginPolicy, caller_from, is_loopback


def headers(**values: str):
    lowered = {name.replace("_", "-").lower(): value for name, value in values.items()}
    return lowered.get


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("10.0.0.5", False),
        ("203.0.113.9", False),
        ("", False),
        ("not an address", False),
    ],
)
def test_loopback_addresses(address, loopback):
    assert is_loopback(address) is loopback


def test_a_loopback_request_without_forwarding_headers_is_a_local_tool():
    assert caller_from("127.0.0.1", headers()) == Caller("127.0.0.1", local=True)


def test_behind_the_proxy_the_visitor_is_the_address_appended_last():
    forged_then_real = headers(x_forwarded_for="127.0.0.1, 198.51.100.7")
    assert caller_from("127.0.0.1", forged_then_real) == Caller(
        "198.51.100.7", local=False
    )
    assert caller_from("127.0.0.1", headers(x_real_ip="198.51.100.8")) == Caller(
        "198.51.100.8", local=False
    )


def test_any_forwarding_header_makes_the_caller_a_visitor():
    caller = caller_from("127.0.0.1", headers(forwarded="for=198.51.100.9"))
    assert caller.local is False


def test_a_remote_peer_is_a_visitor_whatever_headers_it_sends():
    assert caller_from("203.0.113.5", headers(x_forwarded_for="127.0.0.1")) == (
        Caller("203.0.113.5", local=False)
    )


def test_listed_origins_are_allowed_and_others_refused():
    policy = OriginPolicy(["https://www.clinic.example/", "http://127.0.0.1:8000"])
    assert policy.allows("https://www.clinic.example")
    assert policy.allows("HTTPS://WWW.CLINIC.EXAMPLE")
    assert policy.allows("http://127.0.0.1:8000")
    assert not policy.allows("https://copycat.example")
    assert not policy.allows("http://127.0.0.1:8001")
    assert not policy.allows("null")


def test_requests_without_an_origin_are_not_cross_site_and_pass():
    assert OriginPolicy(["https://clinic.example"]).allows(None)


def test_a_star_allows_every_site():
    assert OriginPolicy(["*"]).allows("https://anything.example")
