"""Client-side token buckets (spec 2.1, 7): waits instead of 503s, shared through a cache."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.cache.backends.locmem import LocMemCache

from django_amazonpay.mws import PaymentsClient
from django_amazonpay.mws.throttle import ORDERS, PRODUCTION, SANDBOX, Throttle, bucket_for

from .conftest import FakeAdapter, FakeClock, FakeSleep, fixture, make_config

THROTTLED = fixture("ErrorResponse", "throttled_request_id_caps")
GET_ORO = fixture("GetOrderReferenceDetails", "closed_seed000")


def cache(name: str) -> LocMemCache:
    return LocMemCache(name, {})


class AmazonBucket:
    """The server side as spec 2.1 describes it: starts full, one token per request, refills
    at the restore rate; an empty bucket answers 503 RequestThrottled."""

    def __init__(self, clock: FakeClock, quota: int, restore: float) -> None:
        self.clock, self.quota, self.restore = clock, quota, restore
        self.tokens, self.at = float(quota), clock()
        self.throttled = 0

    def __call__(self, request: Any) -> tuple[int, bytes]:
        now = self.clock()
        self.tokens = min(self.quota, self.tokens + (now - self.at) * self.restore)
        self.at = now
        if self.tokens < 1 - 1e-9:
            self.throttled += 1
            return 503, THROTTLED
        self.tokens -= 1
        return 200, GET_ORO


@pytest.mark.parametrize(
    ("sandbox", "calls", "expected_wait"), [(True, 20, 15.0), (False, 30, 5.0)]
)
def test_burst_waits_instead_of_drawing_503s(
    sandbox: bool, calls: int, expected_wait: float
) -> None:
    clock = FakeClock()
    sleep = FakeSleep(clock)
    bucket = (
        PRODUCTION["GetOrderReferenceDetails"]
        if not sandbox
        else SANDBOX["GetOrderReferenceDetails"]
    )
    server = AmazonBucket(clock, bucket.quota, bucket.restore)
    fake = FakeAdapter()
    fake.handler = server
    config = make_config(sandbox=sandbox)
    client = PaymentsClient(
        config, cache=cache(f"burst{sandbox}"), sleep=sleep, clock=clock, throttle_clock=clock
    )
    client.session.mount(config.base_url, fake)
    for _ in range(calls):
        client.get_order_reference_details("S03-1571525-4435073")
    assert server.throttled == 0
    # (calls - quota) requests wait one restore interval each
    assert sum(sleep.calls) == pytest.approx(expected_wait)
    assert sum(sleep.calls) == pytest.approx((calls - bucket.quota) / bucket.restore)


def test_without_the_bucket_the_same_burst_draws_503s() -> None:
    clock = FakeClock()
    server = AmazonBucket(clock, 5, 1.0)
    fake = FakeAdapter()
    fake.handler = server
    config = make_config(throttle=False)
    client = PaymentsClient(
        config, cache=cache("off"), sleep=FakeSleep(clock), clock=clock, throttle_clock=clock
    ).with_options(retries=0)
    client.session.mount(config.base_url, fake)
    failures = 0
    for _ in range(20):
        try:
            client.get_order_reference_details("S03-1571525-4435073")
        except Exception:
            failures += 1
    assert failures == 15 and server.throttled == 15


def test_no_cache_means_no_bucket() -> None:
    assert PaymentsClient(make_config()).throttle is None
    assert PaymentsClient(make_config(throttle=False), cache=cache("x")).throttle is None


def test_concurrent_reservations_never_share_a_token() -> None:
    clock = FakeClock()
    throttle = Throttle(cache("threads"), sandbox=True, clock=clock)
    waits: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        wait = throttle.reserve("SELLER", "GetOrderReferenceDetails", None)
        with lock:
            waits.append(wait)

    threads = [threading.Thread(target=take) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == [0.0] * 5 + [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]


def test_buckets_are_per_seller_and_operation() -> None:
    clock = FakeClock()
    throttle = Throttle(cache("keys"), sandbox=True, clock=clock)
    for _ in range(5):
        assert throttle.reserve("A", "GetOrderReferenceDetails", None) == 0
    assert throttle.reserve("A", "GetOrderReferenceDetails", None) == 1.0
    assert throttle.reserve("B", "GetOrderReferenceDetails", None) == 0
    assert throttle.reserve("A", "GetAuthorizationDetails", None) == 0
    throttle.reset("A", "GetOrderReferenceDetails")
    assert throttle.reserve("A", "GetOrderReferenceDetails", None) == 0


def test_tokens_come_back_at_the_restore_rate() -> None:
    clock = FakeClock()
    throttle = Throttle(cache("restore"), sandbox=True, clock=clock)
    for _ in range(2):  # sandbox Authorize: 2, one every 2 s
        assert throttle.reserve("A", "Authorize", None) == 0
    assert throttle.reserve("A", "Authorize", None) == pytest.approx(2.0)
    clock.now += 10
    assert throttle.reserve("A", "Authorize", None) == 0


def test_orders_operations_share_one_bucket() -> None:
    clock = FakeClock()
    throttle = Throttle(cache("orders"), sandbox=False, clock=clock)
    assert bucket_for("ListOrderItemsByNextToken", sandbox=True) == ("ListOrderItems", ORDERS)
    for _ in range(30):
        assert throttle.reserve("A", "ListOrderItems", None) == 0
    assert throttle.reserve("A", "ListOrderItemsByNextToken", None) == pytest.approx(2.0)


def test_service_status_bucket_and_max_wait() -> None:
    clock = FakeClock()
    throttle = Throttle(cache("status"), sandbox=True, clock=clock)
    assert throttle.reserve("A", "GetServiceStatus", None) == 0
    assert throttle.reserve("A", "GetServiceStatus", None) == 0
    # a wait above max_wait takes no token: the request goes now (and may draw a 503)
    assert throttle.reserve("A", "GetServiceStatus", 60) == 0
    assert throttle.reserve("A", "GetServiceStatus", None) == pytest.approx(300)


def test_unknown_operations_are_not_throttled() -> None:
    throttle = Throttle(cache("unknown"), sandbox=True, clock=FakeClock())
    assert all(throttle.reserve("A", "GetMerchantAccountStatus", None) == 0 for _ in range(50))


def test_bucket_waits_against_the_simulator_throttle(sim: Any) -> None:
    """The simulator's own spec 2.1 buckets as the server: no 503 reaches the client."""
    from datetime import timedelta

    sim.throttle.enabled = True
    clock = FakeClock()

    def sleep(seconds: float) -> None:
        clock.now += seconds
        sim.advance(timedelta(seconds=seconds))

    config = make_config()
    client = PaymentsClient(config, cache=cache("sim"), sleep=sleep, throttle_clock=clock)
    client = client.with_options(retries=0)
    sim.mount(client.session, config.base_url + "/")
    oid = sim.create_order_reference()
    for _ in range(12):
        client.get_order_reference_details(oid)
    assert clock.now - 1_000_000.0 == pytest.approx(7.0)
