"""Exactly once (issue 4 item 4): reference ids, in-doubt attempts, reconciliation, repeats."""

from __future__ import annotations

import pytest

from django_amazonpay import services
from django_amazonpay.models import Authorization, Capture, Refund

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_retries(configure) -> None:
    # one lost answer reaches the services instead of being retried by the client
    configure(MAX_RETRIES=0)


def sim_count(sim, table: str, prefix: str) -> int:
    return sum(1 for key in getattr(sim.engine.store, table) if key.startswith(prefix))


def test_lost_authorize_response_is_in_doubt_then_reconciled(sim, open_order, no_retries):
    oro = open_order()
    sim.faults.inject("Authorize", "lost_response")
    first = services.authorize(oro, synchronous=True)
    assert (first.outcome, first.next_action) == ("in_doubt", "retry")
    auth = first.authorization
    assert auth.attempt_state == "in_doubt" and auth.amazon_authorization_id is None

    again = services.authorize(oro, synchronous=True)
    assert (again.outcome, again.repeated) == ("authorized", True)
    assert again.authorization.pk == auth.pk
    assert again.authorization.amazon_authorization_id
    assert Authorization.objects.count() == 1
    assert sim_count(sim, "authorizations", oro.amazon_order_reference_id) == 1
    assert again.authorization.transitions.get().source == "reconcile"


def test_in_doubt_authorization_is_adopted_from_the_id_list(sim, open_order, no_retries):
    oro = open_order()
    sim.faults.inject("Authorize", "lost_response")
    auth = services.authorize(oro, synchronous=True).authorization
    services.refresh(oro)
    auth.refresh_from_db()
    assert (auth.attempt_state, auth.state) == ("done", "Open")
    assert Authorization.objects.count() == 1


def test_lost_capture_response_then_capture_again(sim, authorized, no_retries) -> None:
    auth = authorized()
    sim.faults.inject("Capture", "lost_response")
    first = services.capture(auth)
    # the answer was lost, but reading the authorization back (its IdList names the capture)
    # settles the doubt within the same call: the result says what Amazon did
    assert first.outcome == "completed"
    assert first.capture.attempt_state == "done"
    assert first.capture.amazon_capture_id
    again = services.capture(auth)
    assert (again.outcome, again.repeated) == ("completed", True)
    assert again.capture.pk == first.capture.pk
    assert Capture.objects.count() == 1
    assert sim_count(sim, "captures", auth.order_reference.amazon_order_reference_id) == 1


def test_request_that_never_arrived_is_resent_with_the_same_reference_id(
    sim, authorized, no_retries
) -> None:
    auth = authorized()
    sim.faults.inject("Capture", "reset")  # connection dropped before Amazon did anything
    first = services.capture(auth)
    assert first.outcome == "in_doubt"
    again = services.capture(auth)
    assert again.outcome == "completed"
    assert again.capture.capture_reference_id == f"{auth.authorization_reference_id}-C1"
    assert Capture.objects.count() == 1


def test_lost_refund_response_reconciled_by_the_next_refund_call(sim, captured, no_retries):
    cap = captured()
    sim.faults.inject("Refund", "lost_response")
    first = services.refund(cap, amount=1000)
    assert first.outcome == "in_doubt"
    again = services.refund(cap, amount=1000)  # reconciles, does not refund twice
    assert (again.outcome, again.repeated) == ("pending", True)
    assert again.refund.pk == first.refund.pk
    assert Refund.objects.count() == 1
    assert sim_count(sim, "refunds", cap.order_reference.amazon_order_reference_id) == 1


def test_in_doubt_refund_reconciled_by_refresh(sim, captured, no_retries) -> None:
    cap = captured()
    sim.faults.inject("Refund", "lost_response")
    ref = services.refund(cap, amount=500).refund
    ref = services.refresh(ref)
    assert (ref.attempt_state, ref.state) == ("done", "Pending")
    assert ref.amazon_refund_id


def test_repeats_return_the_same_objects(sim, open_order) -> None:
    oro = open_order()
    first = services.authorize(oro, synchronous=True)
    second = services.authorize(oro, synchronous=True)
    assert second.repeated and second.authorization.pk == first.authorization.pk
    c1 = services.capture(first.authorization)
    c2 = services.capture(first.authorization)
    assert c2.repeated and c2.capture.pk == c1.capture.pk
    assert sim_count(sim, "captures", oro.amazon_order_reference_id) == 1
    with pytest.raises(services.InvalidStateError):
        services.authorize(oro)  # all of the total is captured: nothing left


def test_reference_ids_are_deterministic_and_short(sim, open_order) -> None:
    oro = open_order()
    auth = services.authorize(oro, synchronous=True).authorization
    cap = services.capture(auth, amount=6000).capture
    ref = services.refund(cap, amount=100).refund
    oid = oro.amazon_order_reference_id
    assert auth.authorization_reference_id == f"{oid}-A1"
    assert cap.capture_reference_id == f"{oid}-A1-C1"
    assert ref.refund_reference_id == f"{oid}-A1-C1-R1"
    assert len(ref.refund_reference_id) <= 32


def test_capture_now_adopts_the_capture(open_order) -> None:
    result = services.authorize(open_order(), synchronous=True, capture_now=True)
    assert result.outcome == "captured"
    assert result.capture is not None and result.capture.state == "Completed"
    assert result.capture.authorization_id == result.authorization.pk
    # the authorization returned is the one as stored after the capture, not before it
    stored = type(result.authorization).objects.get(pk=result.authorization.pk)
    assert result.authorization.captured_amount == stored.captured_amount == result.capture.amount
    assert result.authorization.state == stored.state


def test_a_caller_arriving_mid_call_reuses_the_attempt(sim, authorized) -> None:
    """The concurrent case without threads (runs on SQLite too): while the first capture is
    on the wire, a second caller finds its attempt in flight and re-sends the same reference
    id instead of making a capture of its own."""
    from django_amazonpay.client import get_client

    auth = authorized()
    client = get_client()
    real_capture = client.capture
    inner: list = []

    def capture_with_a_second_caller(*args, **kwargs):
        if not inner:
            inner.append(None)
            inner[0] = services.capture(auth)  # arrives while we are "on the wire"
        return real_capture(*args, **kwargs)

    client.capture = capture_with_a_second_caller
    try:
        outer = services.capture(auth)
    finally:
        del client.capture
    assert inner[0].repeated and inner[0].capture.pk == outer.capture.pk
    assert outer.outcome == inner[0].outcome == "completed"
    assert Capture.objects.count() == 1
    assert sim_count(sim, "captures", auth.order_reference.amazon_order_reference_id) == 1
