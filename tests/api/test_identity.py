"""Who a caller is: the session or user, and an address taken from X-Forwarded-For only
behind the proxies AMAZON_PAY['TRUSTED_PROXIES'] names (docs/api.md, Trusted proxies)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import checks
from django.test import RequestFactory
from rest_framework.test import APIClient

from django_amazonpay.addresses import client_address
from tests.api.conftest import assert_error, configure, url

pytestmark = pytest.mark.django_db

PROXIES = ["10.0.0.0/8", "2001:db8:ffff::/48"]


def address(remote: str, forwarded: str | None = None) -> str:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


def trust(settings: Any, proxies: Any) -> None:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "TRUSTED_PROXIES": proxies}


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("198.51.100.7", None, "198.51.100.7"),
        ("198.51.100.7", "203.0.113.1", "198.51.100.7"),  # a header is a claim
        ("10.0.0.5", "203.0.113.1", "10.0.0.5"),  # even from a proxy: none is trusted
        ("not an address", None, "unknown"),
        ("", "203.0.113.1", "unknown"),
    ],
)
def test_without_trusted_proxies_the_address_is_remote_addr(
    settings: Any, remote: str, forwarded: str | None, expected: str
) -> None:
    trust(settings, None)
    assert address(remote, forwarded) == expected


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # through one trusted proxy
        ("10.0.0.5", "203.0.113.1", "203.0.113.1"),
        # through two; what the client wrote itself on the left counts for nothing
        ("10.0.0.5", "6.6.6.6, 203.0.113.1, 10.1.2.3", "203.0.113.1"),
        # a client connecting directly cannot name another address
        ("198.51.100.7", "203.0.113.1", "198.51.100.7"),
        # garbage no proxy writes: the nearest proxy's peer stays the answer
        ("10.0.0.5", "203.0.113.1, bogus", "10.0.0.5"),
        ("10.0.0.5", "203.0.113.1,\x00", "10.0.0.5"),
        # ports and brackets as some proxies write them
        ("10.0.0.5", "203.0.113.1:443", "203.0.113.1"),
        ("10.0.0.5", "[2001:db8:1:2::9]:443", "2001:db8:1:2::/64"),
        # an IPv4 client seen over IPv6
        ("10.0.0.5", "::ffff:203.0.113.1", "203.0.113.1"),
        # all trusted: the farthest one
        ("10.0.0.5", "10.9.9.9", "10.9.9.9"),
        # a proxy on a Unix socket leaves REMOTE_ADDR empty
        ("", "203.0.113.1", "203.0.113.1"),
        # an IPv6 proxy
        ("2001:db8:ffff::1", "203.0.113.1", "203.0.113.1"),
    ],
)
def test_behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client(
    settings: Any, remote: str, forwarded: str, expected: str
) -> None:
    trust(settings, PROXIES)
    assert address(remote, forwarded) == expected


def test_ipv6_clients_are_counted_per_64(settings: Any) -> None:
    trust(settings, None)
    first, second = address("2001:db8:1:2::1"), address("2001:db8:1:2:ffff::9")
    assert first == second == "2001:db8:1:2::/64"
    assert address("2001:db8:1:3::1") != first


def test_a_long_forwarded_chain_is_read_from_the_nearest_end(settings: Any) -> None:
    trust(settings, PROXIES)
    chain = ", ".join(["203.0.113.9"] * 5000 + ["198.51.100.1"])
    assert address("10.0.0.5", chain) == "198.51.100.1"


def post_from(remote: str, forwarded: str, oro_id: str) -> Any:
    client = APIClient(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    return client.post(url(oro_id, "confirm"))


def test_the_write_limit_per_address_follows_the_proxy_setting(sim: Any, settings: Any) -> None:
    configure(settings, sim, API_ADDRESS_WRITE_RATE="2/minute")
    oro_id = sim.create_order_reference()
    # behind a proxy that is not trusted, every buyer is the proxy: one limit for all
    for forwarded in ("203.0.113.1", "203.0.113.2"):
        assert post_from("10.0.0.5", forwarded, oro_id).status_code == 404
    assert_error(post_from("10.0.0.5", "203.0.113.3", oro_id), 429, "throttled")
    # trusted, each client behind it has its own
    configure(settings, sim, API_ADDRESS_WRITE_RATE="2/minute", TRUSTED_PROXIES=PROXIES)
    for forwarded in ("203.0.113.4", "203.0.113.4", "203.0.113.5"):
        assert post_from("10.0.0.5", forwarded, oro_id).status_code == 404
    assert_error(post_from("10.0.0.5", "203.0.113.4", oro_id), 429, "throttled")


# -- system checks --------------------------------------------------------------------------


def proxy_messages() -> list[checks.CheckMessage]:
    from django_amazonpay.checks import check_trusted_proxies

    return check_trusted_proxies()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REST_FRAMEWORK", {"NUM_PROXIES": 1}),
        ("SECURE_PROXY_SSL_HEADER", ("HTTP_X_FORWARDED_PROTO", "https")),
        ("USE_X_FORWARDED_HOST", True),
        ("USE_X_FORWARDED_PORT", True),
    ],
)
def test_a_proxy_trusted_elsewhere_but_not_here_is_warned_of(
    settings: Any, name: str, value: Any
) -> None:
    trust(settings, None)
    setattr(settings, name, value)
    [warning] = proxy_messages()
    assert warning.level == checks.WARNING and "TRUSTED_PROXIES" in warning.msg
    assert warning.id.startswith("django_amazonpay.W0")
    assert warning in checks.run_checks(tags=[checks.Tags.security])  # a plain `check` too
    trust(settings, ["10.0.0.0/8"])
    assert proxy_messages() == []


def test_no_proxy_anywhere_says_nothing(settings: Any) -> None:
    trust(settings, None)
    settings.REST_FRAMEWORK = {"NUM_PROXIES": None}
    assert proxy_messages() == []


@pytest.mark.parametrize("everything", ["0.0.0.0/0", "::/0"])
def test_trusting_every_address_is_warned_of(settings: Any, everything: str) -> None:
    trust(settings, ["10.0.0.0/8", everything])
    [warning] = proxy_messages()
    assert "every address" in warning.msg


@pytest.mark.parametrize("bad", ["10.0.0.0/8", ["10.0.0.0/33"], ["proxy.example"], [None]])
def test_a_malformed_proxy_list_is_an_error(settings: Any, bad: Any) -> None:
    from django_amazonpay.conf import problems

    trust(settings, bad)
    assert [p.key for p in problems()] == ["TRUSTED_PROXIES"]
    assert proxy_messages() == []  # reported once, as the error
