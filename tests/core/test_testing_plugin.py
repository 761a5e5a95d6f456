"""The pytest plugin a host shop uses (django_amazonpay.testing), as a new user meets it."""

from __future__ import annotations

from typing import Any

import pytest

from django_amazonpay.client import get_client, reset_throttle_buckets
from django_amazonpay.sandbox.simulator import Simulator

pytestmark = pytest.mark.django_db


def test_a_project_mount_as_endpoint_works_in_process(amazon_pay_simulator, settings) -> None:
    """ENDPOINT set to a project's simulator mount (the README's in-project setup): the
    in-process route passes the prefix as SCRIPT_NAME, so the signed path matches."""
    settings.AMAZON_PAY = {
        **settings.AMAZON_PAY,
        "ENDPOINT": "http://127.0.0.1:8000/amazonpay-sandbox",
    }
    oro = amazon_pay_simulator.create_order_reference()
    details = get_client().get_order_reference_details(oro)
    assert details.amazon_order_reference_id == oro


def test_changing_amazon_pay_mid_test_keeps_the_simulator(amazon_pay_simulator, settings) -> None:
    oro = amazon_pay_simulator.create_order_reference()
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "READ_TIMEOUT": 7.0}  # the clients are rebuilt
    client = get_client()
    assert client.config.read_timeout == 7.0
    assert client.get_order_reference_details(oro).status.state == "Draft"


def test_after_the_test_the_clients_are_no_longer_routed(settings) -> None:
    sim = Simulator(seller_id="A1TESTSELLER00", access_key="AKIATESTACCESSKEY",
                    secret_key="test-secret-key/with+chars=", region="jp")  # fmt: skip
    from django_amazonpay.testing import mount_simulator, unmount_simulator

    assert mount_simulator(sim)
    oro = sim.create_order_reference()
    assert get_client().get_order_reference_details(oro).amazon_order_reference_id == oro
    unmount_simulator(sim)
    adapter = get_client().session.get_adapter(get_client().url)
    assert type(adapter).__name__ == "MwsAdapter"  # the real transport again


def test_each_test_starts_with_full_throttle_buckets(
    amazon_pay_simulator: Any, settings: Any
) -> None:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "THROTTLE": True}
    client = get_client()
    seller = client.config.seller_id
    waits = [client.throttle.reserve(seller, "Authorize", None) for _ in range(4)]
    assert waits[:2] == [0.0, 0.0] and waits[3] > 0  # sandbox Authorize: 2, then 1 per 2 s
    reset_throttle_buckets()  # what the fixture does before each test
    assert client.throttle.reserve(seller, "Authorize", None) == 0.0


def test_a_checkout_faster_than_any_buyer_is_not_refused_by_the_clients_throttle(
    amazon_pay_simulator: Any, settings: Any
) -> None:
    """THROTTLE on, as a host project leaves it: against the fixture's simulator, which keeps
    no quota by default, a whole checkout in milliseconds is not paced or refused by the
    client's own buckets (sandbox GetOrderReferenceDetails: 5, of which buyers get 3)."""
    from django_amazonpay.client import interactive

    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "THROTTLE": True}
    oro = amazon_pay_simulator.create_order_reference()
    client = get_client()
    slept: list[float] = []
    client.throttle.sleep = slept.append  # what pacing would have waited
    with interactive():
        for _ in range(8):
            assert client.get_order_reference_details(oro).status.state == "Draft"
    assert slept == []


def test_a_simulator_that_keeps_quotas_gets_a_paced_client(
    amazon_pay_simulator: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django_amazonpay.mws.throttle import Throttle

    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "THROTTLE": True}
    paced: list[str] = []
    real = Throttle.acquire

    def acquire(self: Throttle, seller: str, operation: str, *args: Any, **kw: Any) -> float:
        paced.append(operation)
        return real(self, seller, operation, *args, **kw)

    monkeypatch.setattr(Throttle, "acquire", acquire)
    oro = amazon_pay_simulator.create_order_reference()
    client = get_client()
    client.get_order_reference_details(oro)
    assert paced == []  # the simulator keeps no quota: nothing to pace against
    amazon_pay_simulator.throttle.enabled = True  # asked at each call: no rebuild needed
    client.get_order_reference_details(oro)
    assert paced == ["GetOrderReferenceDetails"]


_counters_seen: list[str] = []


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_counts_the_api_rate_limits_afresh(
    amazon_pay_simulator: Any, settings: Any, run: int
) -> None:
    """Ten host tests that each start a checkout must not meet API_START_RATE's limit of the
    ones before: the counters live in the cache, which outlives a test."""
    from rest_framework.test import APIRequestFactory

    from django_amazonpay.api.throttling import StartThrottle

    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "API_START_RATE": "1/minute"}
    request = APIRequestFactory().post("/checkouts/", REMOTE_ADDR="198.51.100.7")
    assert StartThrottle().allow_request(request, None)  # this test's first start
    assert not StartThrottle().allow_request(request, None)  # its second is over the limit
    _counters_seen.append(StartThrottle.cache_format)
    assert len(set(_counters_seen)) == run


def test_outside_the_fixture_the_counters_are_the_production_ones() -> None:
    from django_amazonpay.api.throttling import StartThrottle

    assert StartThrottle.cache_format == "throttle_%(scope)s_%(ident)s"
