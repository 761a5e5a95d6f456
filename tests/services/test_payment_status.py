"""services.payment_status: whether Amazon's answer pays a shop order's current total, and
signals.order_reference_changed, the one signal on which a shop checks again."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_amazonpay import services, signals
from django_amazonpay.models import Authorization, OrderReference
from django_amazonpay.services import InvalidAmountError, payment_covers, payment_status

from .conftest import TOTAL, draft, with_details

pytestmark = pytest.mark.django_db

SELLER_ORDER_ID = "180206-140000-0000"  # the services fixtures' order


def status_of(oro: OrderReference | None, amount: Any = TOTAL, **kwargs: Any) -> tuple:
    st = payment_status(oro, amount, seller_order_id=kwargs.pop("seller_order_id", None), **kwargs)
    return st.covered, st.reason, st.final


def test_an_open_authorization_of_the_whole_total_covers_it(authorized) -> None:
    auth = authorized()
    st = payment_status(auth.order_reference, TOTAL, seller_order_id=SELLER_ORDER_ID)
    assert (st.covered, st.reason, st.final) == (True, "covered", False)
    assert (st.reserved, st.captured, st.currency) == (TOTAL, Decimal("0"), "JPY")
    assert st and payment_covers(auth.order_reference, TOTAL) is True


@pytest.mark.parametrize("amount", ["6500", 6500, Decimal("6500.00"), Decimal("6.5E+3")])
def test_amounts_compare_as_decimals(authorized, amount) -> None:
    assert payment_covers(authorized().order_reference, amount)


@pytest.mark.parametrize("amount", ["6501", Decimal("6499"), "48700"])
def test_another_total_than_amazon_has_is_never_covered(authorized, amount) -> None:
    # the shop's order changed after the total was sent: Amazon's OrderTotal is fixed
    assert status_of(authorized().order_reference, amount) == (False, "total_changed", True)


@pytest.mark.parametrize("amount", [6500.0, "NaN", "1e999", "0", "-6500", "6500.5", "１", True])
def test_an_amount_that_is_not_money_is_refused(authorized, amount) -> None:
    with pytest.raises(InvalidAmountError):
        payment_status(authorized().order_reference, amount)


def test_another_orders_checkout_pays_that_order_only(authorized) -> None:
    oro = authorized().order_reference
    assert status_of(oro, seller_order_id="OTHER-1") == (False, "other_order", True)


def test_another_currency_is_never_covered(authorized) -> None:
    oro = authorized().order_reference
    assert status_of(oro, currency="USD") == (False, "currency_mismatch", True)
    assert status_of(oro, currency="jpy")[0] is True


def test_no_checkout_and_a_draft_are_not_covered_nor_final(sim) -> None:
    assert status_of(None) == (False, "no_checkout", False)
    assert status_of(OrderReference(amazon_order_reference_id="S03-0")) == (
        False, "no_checkout", False,
    )  # fmt: skip
    oro = with_details(draft(sim))
    assert status_of(oro) == (False, "not_confirmed", False)
    assert status_of(oro, "1") == (False, "not_confirmed", False)  # the total may be set again


def test_confirmed_but_not_authorized(open_order) -> None:
    assert status_of(open_order()) == (False, "not_covered", False)


def test_a_pending_authorization_is_on_its_way(open_order) -> None:
    oro = open_order()
    assert services.authorize(oro, synchronous=False).outcome == "pending"
    assert status_of(oro) == (False, "pending", False)


def test_a_canceled_checkout_is_final(authorized) -> None:
    oro = services.cancel_order(authorized().order_reference)
    assert status_of(oro) == (False, "canceled", True)


def test_the_stored_state_counts_not_the_instance_passed(authorized) -> None:
    auth = authorized()
    stale = OrderReference.objects.get(pk=auth.order_reference_id)  # Open in memory
    services.cancel_order(auth.order_reference)
    assert status_of(stale) == (False, "canceled", True)


def test_a_suspended_checkout_waits_for_another_payment_method(open_order) -> None:
    oro = open_order(payment_method="decline-invalid-payment-method")
    services.authorize(oro, synchronous=True)
    assert status_of(oro) == (False, "suspended", False)


def test_amazon_rejected_closes_it_for_good(open_order) -> None:
    oro = open_order(payment_method="decline-amazon-rejected")
    services.authorize(oro, synchronous=True)
    assert status_of(oro) == (False, "closed", True)


def test_a_processing_failure_leaves_it_open_uncovered(open_order) -> None:
    oro = open_order(payment_method="decline-processing-failure")
    services.authorize(oro, synchronous=True)
    assert status_of(oro) == (False, "not_covered", False)


def test_an_authorization_closed_by_the_seller_no_longer_covers(authorized) -> None:
    auth = services.close_authorization(authorized())
    assert auth.state == "Closed"
    assert status_of(auth.order_reference) == (False, "not_covered", False)


def test_a_completed_capture_covers_before_and_after_closing(captured) -> None:
    cap = captured()
    st = payment_status(cap.order_reference, TOTAL)
    assert (st.covered, st.reserved, st.captured) == (True, Decimal("0"), TOTAL)
    services.close_order(cap.order_reference)
    assert status_of(cap.order_reference) == (True, "covered", False)


def test_a_partial_capture_does_not_cover(captured) -> None:
    cap = captured(amount="1000")  # the rest of the authorization is released
    assert status_of(cap.order_reference) == (False, "not_covered", False)
    services.close_order(cap.order_reference)
    assert status_of(cap.order_reference) == (False, "closed", True)


def test_closed_with_an_open_authorization_is_not_covered_but_not_over(authorized) -> None:
    auth = authorized()
    services.close_order(auth.order_reference)
    st = payment_status(auth.order_reference, TOTAL)
    assert (st.covered, st.reason, st.final, st.reserved) == (False, "closed", False, TOTAL)


def test_an_authorization_shown_open_after_its_capture_is_not_counted_twice(captured) -> None:
    cap = captured(amount="3500")
    Authorization.objects.filter(pk=cap.authorization_id).update(state="Open")  # mirror lags
    st = payment_status(cap.order_reference, TOTAL)
    assert (st.covered, st.reserved, st.captured) == (False, Decimal("0"), Decimal("3500"))


def test_order_reference_changed_follows_every_state_signal(
    authorized, django_capture_on_commit_callbacks
) -> None:
    heard: list[tuple[str, str, str]] = []

    def receiver(sender: Any, instance: OrderReference, changed: Any, **kwargs: Any) -> None:
        heard.append((instance.state, type(changed).__name__, changed.state))

    signals.order_reference_changed.connect(receiver, sender=OrderReference)
    try:
        with django_capture_on_commit_callbacks(execute=True):  # sent once committed
            auth = authorized()
        with django_capture_on_commit_callbacks(execute=True):
            services.cancel_order(auth.order_reference)
    finally:
        signals.order_reference_changed.disconnect(receiver, sender=OrderReference)
    assert ("Open", "OrderReference", "Open") in heard
    assert ("Open", "Authorization", "Open") in heard
    assert ("Canceled", "OrderReference", "Canceled") in heard
    assert ("Canceled", "Authorization", "Closed") in heard


def test_a_failing_receiver_is_logged_and_the_others_still_hear(
    authorized, caplog, django_capture_on_commit_callbacks
) -> None:
    heard: list[str] = []

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the shop's bug")

    def working(instance: OrderReference, **kwargs: Any) -> None:
        heard.append(instance.state)

    signals.order_reference_changed.connect(broken, sender=OrderReference)
    signals.order_reference_changed.connect(working, sender=OrderReference)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            authorized()
    finally:
        signals.order_reference_changed.disconnect(broken, sender=OrderReference)
        signals.order_reference_changed.disconnect(working, sender=OrderReference)
    assert heard and "the shop's bug" in caplog.text


def test_nobody_listening_costs_no_query(authorized) -> None:
    auth = authorized()
    with CaptureQueriesContext(connection) as queries:
        signals.authorization_opened.send(sender=Authorization, instance=auth, transition=None)
    assert len(queries) == 0
