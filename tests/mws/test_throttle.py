"""Client-side token buckets (spec 2.1, 7): waits instead of 503s, shared through a cache;
each class of work (interactive, background) keeps its share of every bucket."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.cache.backends.locmem import LocMemCache

from django_amazonpay.mws import PaymentsClient
from django_amazonpay.mws.throttle import (
    BACKGROUND,
    INTERACTIVE,
    ORDERS,
    PRODUCTION,
    SANDBOX,
    Bucket,
    ShareExhausted,
    Throttle,
    bucket_for,
    use_share,
)

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
    # a wait above max_wait takes no token and is refused: nothing may be sent
    with pytest.raises(ShareExhausted) as refused:
        throttle.reserve("A", "GetServiceStatus", 60)
    assert refused.value.retry_after == pytest.approx(300)
    assert throttle.reserve("A", "GetServiceStatus", None) == pytest.approx(300)


def test_a_call_without_a_token_in_its_budget_is_never_sent() -> None:
    """Sent anyway, it would spend a token Amazon keeps for someone else or draw a 503."""
    clock = FakeClock()
    fake = FakeAdapter()
    fake.handler = lambda request: (200, GET_ORO)
    records: list[Any] = []
    config = make_config()
    client = PaymentsClient(
        config,
        cache=cache("budget"),
        sleep=FakeSleep(clock),
        throttle_clock=clock,
        on_call=records.append,
    ).with_options(max_wait=0.5)
    client.session.mount(config.base_url, fake)
    for _ in range(5):  # sandbox GetOrderReferenceDetails: 5, then 1/s
        client.get_order_reference_details("S03-1571525-4435073")
    with pytest.raises(ShareExhausted) as refused:
        client.get_order_reference_details("S03-1571525-4435073")
    assert len(fake.requests) == 5
    assert refused.value.retry_after == pytest.approx(1.0)
    assert (records[-1].outcome, records[-1].attempts) == ("throttled", 0)
    assert records[-1].error_code == "ShareExhausted"


# -- shares: interactive and background work ------------------------------------------------


def shared(name: str, reserved_share: float = 0.25, sandbox: bool = False) -> Throttle:
    return Throttle(cache(name), sandbox=sandbox, reserved_share=reserved_share, clock=FakeClock())


def take_all(throttle: Throttle, share: str, operation: str = "GetOrderReferenceDetails") -> int:
    """Tokens `share` gets without waiting until its allowance is spent."""
    taken = 0
    while True:
        try:
            throttle.reserve("A", operation, 0.0, share)
        except ShareExhausted:
            return taken
        taken += 1


@pytest.mark.parametrize(("flood", "other"), [(INTERACTIVE, BACKGROUND), (BACKGROUND, INTERACTIVE)])
def test_one_class_exhausting_its_share_leaves_the_other_a_token(flood: str, other: str) -> None:
    throttle = shared(f"share-{flood}")
    # production reads: 20 tokens; a class alone takes all but the 5 kept for the other
    assert take_all(throttle, flood) == 15
    assert throttle.reserve("A", "GetOrderReferenceDetails", 0.0, other) == 0.0
    assert take_all(throttle, other) == 4  # the rest of the other class's reserve
    with pytest.raises(ShareExhausted):  # now the bucket itself is empty
        throttle.reserve("A", "GetOrderReferenceDetails", 0.0, flood)


def test_without_shares_a_class_takes_the_whole_bucket() -> None:
    throttle = shared("no-shares", reserved_share=0.0)
    assert take_all(throttle, INTERACTIVE) == 20
    with pytest.raises(ShareExhausted):
        throttle.reserve("A", "GetOrderReferenceDetails", 0.0, BACKGROUND)


@pytest.mark.parametrize(
    ("bucket", "share", "allowance"),
    [
        (Bucket(2, 0.5), 0.25, Bucket(1, 0.375)),  # sandbox writes: one token kept
        (Bucket(5, 1.0), 0.25, Bucket(3, 0.75)),
        (Bucket(20, 2.0), 0.25, Bucket(15, 1.5)),
        (Bucket(10, 1.0), 0.5, Bucket(5, 0.5)),  # never more than half is kept
        (Bucket(10, 1.0), 0.0, Bucket(10, 1.0)),
    ],
)
def test_what_one_class_may_use(bucket: Bucket, share: float, allowance: Bucket) -> None:
    assert bucket.allowance(share) == allowance


def test_a_class_refills_at_its_part_of_the_rate_and_waits_for_it() -> None:
    clock = FakeClock()
    sleep = FakeSleep(clock)
    throttle = Throttle(cache("paced"), sandbox=False, reserved_share=0.25, clock=clock,
                        sleep=sleep)  # fmt: skip
    assert take_all(throttle, BACKGROUND) == 15
    # the next token of this class comes at 1.5/s, not the bucket's 2/s
    assert throttle.acquire("A", "GetOrderReferenceDetails", 10.0, BACKGROUND) == pytest.approx(
        1 / 1.5
    )
    with pytest.raises(ShareExhausted):  # a budget shorter than the wait: refused, not taken
        throttle.acquire("A", "GetOrderReferenceDetails", 0.1, BACKGROUND)


def test_a_class_waiting_for_its_allowance_holds_nothing_back() -> None:
    """Background work queued for its own allowance books nothing in the bucket meanwhile."""
    throttle = shared("queue")
    assert take_all(throttle, BACKGROUND) == 15
    for _ in range(50):  # many background calls find their allowance spent...
        with pytest.raises(ShareExhausted):
            throttle.reserve("A", "GetOrderReferenceDetails", 60.0, BACKGROUND)
    # ...and interactive calls still have the whole reserve
    assert take_all(throttle, INTERACTIVE) == 5


def test_over_time_each_class_gets_at_least_its_reserve() -> None:
    """Ten minutes of an interactive flood (30 tries a second) against one background worker
    trying twice a second: the flood gets its share, background its reserve, and together
    they never take more than Amazon's bucket gives."""
    clock = FakeClock()
    throttle = Throttle(cache("long"), sandbox=False, reserved_share=0.25, clock=clock)
    got = {INTERACTIVE: 0, BACKGROUND: 0}
    for tick in range(600 * 30):
        clock.now += 1 / 30
        tries = [INTERACTIVE] + ([BACKGROUND] if tick % 15 == 0 else [])
        for share in tries:
            try:
                throttle.reserve("A", "GetOrderReferenceDetails", 0.0, share)
            except ShareExhausted:
                continue
            got[share] += 1
    bucket = PRODUCTION["GetOrderReferenceDetails"]
    assert got[INTERACTIVE] + got[BACKGROUND] <= bucket.quota + 600 * bucket.restore
    assert got[BACKGROUND] >= 0.25 * 600 * bucket.restore  # 2 a second asked, 1.5 kept at least
    assert got[INTERACTIVE] >= 0.25 * 600 * bucket.restore
    assert got[INTERACTIVE] + got[BACKGROUND] >= 0.95 * 600 * bucket.restore  # nothing wasted


def test_calls_carry_the_share_of_their_context() -> None:
    """The client asks the throttle with the share set by client.interactive/background."""
    clock = FakeClock()
    fake = FakeAdapter()
    fake.handler = lambda request: (200, GET_ORO)
    config = make_config(sandbox=False, throttle_reserved_share=0.25)
    client = PaymentsClient(config, cache=cache("ctx"), sleep=FakeSleep(clock),
                            throttle_clock=clock).with_options(max_wait=0)  # fmt: skip
    client.session.mount(config.base_url, fake)

    def burst() -> int:
        sent = 0
        while True:
            try:
                client.get_order_reference_details("P01-8403816-8900263")
            except ShareExhausted:
                return sent
            sent += 1

    assert burst() == 15  # outside both: interactive
    with use_share(BACKGROUND):
        assert burst() == 5
    assert len(fake.requests) == 20


def test_buckets_written_by_an_older_version_are_read() -> None:
    store = cache("old")
    clock = FakeClock()
    throttle = Throttle(store, sandbox=True, reserved_share=0.25, clock=clock)
    store.set("amazonpay:mws:bucket:sandbox:A:GetOrderReferenceDetails", clock.now + 4.0)
    assert throttle.reserve("A", "GetOrderReferenceDetails", None, INTERACTIVE) == 0.0
    with pytest.raises(ShareExhausted):  # 4 of 5 were spent, this took the fifth
        throttle.reserve("A", "GetOrderReferenceDetails", 0.0, INTERACTIVE)


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
