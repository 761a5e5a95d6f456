"""The seller's MWS quota under attack: one client's flood cannot starve the buyers, and
background work (settle runs) keeps its share whatever the buyers' side spends.

Every limit is on as in a live shop: the API's rates, the client's buckets with Amazon's
production quotas, and the simulator answering 503 RequestThrottled as Amazon would. Time is
one fake clock for our buckets and the simulator, moved on by the tests (and by any wait).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from django_amazonpay import services
from django_amazonpay.api import reads
from django_amazonpay.api.reads import READ_WINDOW
from django_amazonpay.client import background, get_client, interactive, reset_throttle_buckets
from django_amazonpay.models import Authorization, MwsCall, OrderReference
from django_amazonpay.mws.throttle import ShareExhausted
from django_amazonpay.services import settling
from tests.api.conftest import TOKEN, configure, url
from tests.tasks.conftest import pending_authorization

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"


class Clock:
    """Wall time for the throttle buckets, shared with the simulator's clock."""

    def __init__(self, sim: Any) -> None:
        self.sim, self.now, self.slept = sim, time.time(), 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.wait(seconds)

    def wait(self, seconds: float) -> None:
        self.now += seconds
        self.sim.advance(timedelta(seconds=seconds))


def limits_on(settings: Any, sim: Any, **keys: Any) -> Clock:
    """Every limit on (the documented defaults written out), time on a fake clock."""
    defaults = {
        "THROTTLE": True,
        "API_READ_RATE": "120/minute",
        "API_WRITE_RATE": "30/minute",
        "API_ADDRESS_WRITE_RATE": "60/minute",
        "API_START_RATE": "10/minute",
        "THROTTLE_RESERVED_SHARE": 0.25,
    }
    configure(settings, sim, **{**defaults, **keys})
    reset_throttle_buckets()
    clock = Clock(sim)
    throttle = get_client().throttle
    throttle.clock, throttle.sleep = clock, clock.sleep
    sim.throttle.enabled = True  # Amazon's own buckets: anything sent without a token is a 503
    return clock


class Buyer:
    """A real buyer at an address of their own: start, set the order, confirm, one step per
    second, never retrying."""

    STEPS = ("start", "order", "confirm")

    def __init__(self, sim: Any, number: int, environment: str) -> None:
        self.client = APIClient(REMOTE_ADDR=f"198.51.100.{number}")
        self.oro_id = sim.create_order_reference(environment=environment)
        self.done: list[tuple[str, int, str]] = []

    def step(self) -> None:
        name = self.STEPS[len(self.done)]
        if name == "start":
            body = {"amazon_order_reference_id": self.oro_id, "access_token": TOKEN}
            response = self.client.post(url(), body, format="json")
        elif name == "order":
            response = self.client.post(url(self.oro_id, "order"), {"order_id": "A-1"}, "json")
        else:
            response = self.client.post(url(self.oro_id, "confirm"))
        data = response.json()
        self.done.append((name, response.status_code, data.get("next_action") or data["error"]))

    @property
    def finished(self) -> bool:
        return len(self.done) == len(self.STEPS)


def assert_all_completed(buyers: list[Buyer]) -> None:
    """Every buyer went through the whole checkout, each step answered as it should be."""
    for buyer in buyers:
        assert buyer.done == [
            ("start", 201, "set_order"),
            ("order", 200, "confirm"),
            ("confirm", 200, "complete"),
        ], buyer.done


def attack(second: int, number: int, victim: str, prefix: str = "S") -> Any:
    """One POST of the flood: a fresh session, a new X-Forwarded-For, one address."""
    client = APIClient(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{number % 250}")
    if number % 2:  # someone else's checkout
        return client.post(url(victim, "confirm"))
    oro_id = f"{prefix}03-{second:07d}-{number:07d}"  # made up: InvalidOrderReferenceId
    body = {"amazon_order_reference_id": oro_id, "access_token": f"Atza|{second}-{number}"}
    return client.post(url(), body, format="json")


@pytest.mark.parametrize(
    ("environment", "first_buyer_at"),
    [
        # production buckets hold more than the attacker's allowed burst: buyers from the start
        ("Live", 0),
        # the sandbox's hold less (5 reads): buyers come once the burst is spent
        ("Sandbox", 5),
    ],
)
def test_a_flood_from_one_client_leaves_the_buyers_their_checkouts(
    sim: Any, settings: Any, environment: str, first_buyer_at: int
) -> None:
    clock = limits_on(settings, sim, SANDBOX=environment == "Sandbox")
    buyers = [Buyer(sim, number, environment) for number in range(10)]
    prefix = environment[0].replace("L", "P")
    starts: list[tuple[int, str]] = []
    others: list[tuple[int, str]] = []
    for second in range(60):
        for number in range(6):  # six POSTs a second, every one from a "new" client
            response = attack(second, number, buyers[0].oro_id, prefix)
            answer = (response.status_code, response.json()["error"])
            (others if number % 2 else starts).append(answer)
        for index, buyer in enumerate(buyers):
            if second >= first_buyer_at + 5 * index and not buyer.finished:  # one every 5 s
                buyer.step()
        clock.wait(1.0)
    assert_all_completed(buyers)
    # the attacker's first ten starts were let through (to Amazon, or refused for want of a
    # token in the small sandbox buckets), every later one was throttled by its address
    assert set(starts[:10]) <= {(404, "no_checkout"), (503, "amazon_unavailable")}
    assert set(starts[10:]) == {(429, "throttled")}
    assert set(others) == {(404, "no_checkout"), (429, "throttled")}
    made_up = MwsCall.objects.filter(object_id__regex=r"^[SP]03-00000[0-9]{2}-")
    assert made_up.exclude(outcome="throttled").count() <= 10
    assert not MwsCall.objects.filter(error_code="RequestThrottled").exists()  # no 503 at all


def test_rotating_sessions_and_forwarded_for_share_one_write_limit(sim: Any, settings: Any) -> None:
    """Per caller alone, every new session would start afresh: the address counts too."""
    limits_on(settings, sim, API_START_RATE=None, API_ADDRESS_WRITE_RATE="5/minute")
    oro_id = sim.create_order_reference()
    codes = [attack(0, 2 * number + 1, oro_id).status_code for number in range(8)]
    assert codes == [404] * 5 + [429] * 3
    # another address is not affected
    other = APIClient(REMOTE_ADDR="198.51.100.7")
    body = {"amazon_order_reference_id": oro_id, "access_token": TOKEN}
    assert other.post(url(), body, format="json").status_code == 201


def drain(call: Any) -> int:
    """Calls made (none waiting) until the current share of the bucket is spent."""
    made = 0
    while True:
        try:
            call()
        except ShareExhausted:
            return made
        made += 1


def now(call: str, object_id: str) -> Any:
    """A call that may not wait for its token (the share is the context's)."""
    return lambda: getattr(get_client().with_options(max_wait=0), call)(object_id)


def test_settle_runs_keep_their_share_while_buyers_spend_theirs(sim: Any, settings: Any) -> None:
    auths = [pending_authorization(sim) for _ in range(2)]  # made before any limit is on
    clock = limits_on(settings, sim)
    sim.advance(31)  # the authorizations are Open at Amazon now
    with interactive():  # buyers spend the interactive share (sandbox: 5 less 2 kept)
        assert drain(now("get_authorization_details", auths[0].amazon_authorization_id)) == 3
    report = settling.settle_pending()
    assert (report.polled, report.changed) == (2, 2)
    assert clock.slept == 0  # no wait: the background share was untouched


def test_buyers_keep_their_share_while_a_settle_run_spends_its_own(sim: Any, settings: Any) -> None:
    auths = [pending_authorization(sim) for _ in range(8)]
    clock = limits_on(settings, sim)
    sim.advance(31)
    report = settling.settle_pending()
    assert report.polled == 8
    assert clock.slept > 0  # background alone gets 3 at once, then is paced: it waited
    slept = clock.slept
    with interactive(max_wait=0):  # a buyer's read still finds a token at once
        details = get_client().get_authorization_details(auths[0].amazon_authorization_id)
    assert details.status.state == "Open" and clock.slept == slept


def test_background_is_the_share_of_the_calls_inside_it(sim: Any, settings: Any) -> None:
    limits_on(settings, sim)
    read = now("get_order_reference_details", sim.create_order_reference())
    assert drain(read) == 3  # outside both blocks: interactive, 5 less the 2 kept
    with background():
        assert drain(read) == 2  # the kept ones
    with interactive(), pytest.raises(ShareExhausted):  # now the bucket is empty for all
        read()


def attackers_checkouts(sim: Any, environment: str) -> tuple[APIClient, str, str]:
    """(the attacker's session, a Draft it owns, a checkout of it with a pending
    authorization), made before any limit is on."""
    attacker = APIClient(REMOTE_ADDR=ATTACKER)
    owned = []
    for _ in range(2):
        oro_id = sim.create_order_reference(environment=environment)
        body = {"amazon_order_reference_id": oro_id, "access_token": TOKEN}
        assert attacker.post(url(), body, format="json").status_code == 201
        owned.append(oro_id)
    draft, paying = owned
    assert attacker.post(url(paying, "order"), {"order_id": "A-1"}, "json").status_code == 200
    oro = services.confirm(OrderReference.objects.get(amazon_order_reference_id=paying))
    assert services.authorize(oro, synchronous=False).outcome == "pending"
    return attacker, draft, paying


def sent_for(*object_ids: str) -> int:
    """Requests that reached Amazon for these objects (not those our buckets kept back)."""
    calls = MwsCall.objects.filter(object_id__in=object_ids)
    return calls.exclude(outcome="throttled").count()


@pytest.mark.parametrize(
    ("environment", "every"),
    [
        # production buckets (2 a second): a buyer every 5 s
        ("Live", 5),
        # the sandbox's refill (1 a second) is less than what a buyer every 5 s needs with
        # one more read every 5 s: a buyer every 10 s
        ("Sandbox", 10),
    ],
)
def test_one_session_hammering_its_own_reads_leaves_the_buyers_their_checkouts(
    sim: Any, settings: Any, environment: str, every: int
) -> None:
    """GETs on the attacker's own Draft (three a second, more than Amazon refills) and on its
    pending payment (one a second), from one session until its read rate stops it: Amazon is
    read at most once per object per window, so every buyer completes, and nothing anywhere
    draws Amazon's 503."""
    sandbox = environment == "Sandbox"
    configure(settings, sim, SANDBOX=sandbox)
    attacker, draft, paying = attackers_checkouts(sim, environment)
    auth_id = Authorization.objects.get(order_reference__amazon_order_reference_id=paying)
    auth_id = auth_id.amazon_authorization_id
    clock = limits_on(settings, sim, SANDBOX=sandbox)
    clock.wait(READ_WINDOW - reads.clock() % READ_WINDOW + 0.5)  # the same windows every run
    buyers = [Buyer(sim, number, environment) for number in range(6)]
    before = sent_for(draft, paying, auth_id)
    answers: set[tuple[int, str]] = set()
    seconds = every * len(buyers) + 5
    for second in range(seconds):
        for path in (url(draft),) * 3 + (url(paying, "payment"),):
            response = attacker.get(path)
            answers.add((response.status_code, response.json().get("error", "")))
        for index, buyer in enumerate(buyers):
            if second >= every * index and not buyer.finished:
                buyer.step()
        clock.wait(1.0)
    assert_all_completed(buyers)
    assert answers == {(200, ""), (429, "throttled")}  # until the caller's own read rate
    windows = seconds // READ_WINDOW + 1
    assert sent_for(draft, paying, auth_id) - before <= 2 * windows  # two objects read
    assert not MwsCall.objects.filter(error_code="RequestThrottled").exists()
