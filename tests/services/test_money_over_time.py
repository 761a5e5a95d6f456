"""Money over time (issue 4 item 5): old authorizations, pending captures, async soft declines."""

from __future__ import annotations

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.db.models import F

from django_amazonpay import services, signals
from django_amazonpay.models import Authorization

pytestmark = pytest.mark.django_db


def test_expired_authorization_is_replaced_before_capture(sim, authorized) -> None:
    auth = authorized()
    sim.advance(timedelta(days=3))  # sandbox authorizations expire after 2 days (spec 3.6)
    result = services.capture(auth)
    assert result.reauthorized and result.outcome == "completed"
    assert "honour period" in result.message
    assert result.authorization.pk != auth.pk
    auth.refresh_from_db()
    assert (auth.state, auth.reason_code) == ("Closed", "ExpiredUnused")
    assert result.capture.authorization_id == result.authorization.pk


def age(auth: Authorization, days: int) -> None:
    """Make our copy of `auth` `days` older (the simulator's would have expired meanwhile)."""
    Authorization.objects.filter(pk=auth.pk).update(
        amazon_created_at=F("amazon_created_at") - timedelta(days=days)
    )


def test_authorization_past_the_honour_period_is_replaced(sim, authorized):
    auth = authorized()
    age(auth, 8)
    result = services.capture(auth, amount=5000)
    assert result.reauthorized and result.outcome == "completed"
    assert result.capture.amount == 5000
    auth.refresh_from_db()
    assert (auth.state, auth.reason_code) == ("Closed", "SellerClosed")
    assert Authorization.objects.count() == 2


def test_old_authorization_of_a_closed_order_is_captured_as_is(sim, authorized):
    auth = authorized()
    services.close_order(auth.order_reference)  # no new authorizations possible (spec 2.4)
    age(auth, 8)
    result = services.capture(auth)
    assert not result.reauthorized
    assert result.authorization.pk == auth.pk
    assert result.outcome in ("completed", "pending")  # Amazon answers Pending after 7 days


def test_async_soft_decline_asks_the_buyer_then_reauthorizes(
    sim, open_order, django_capture_on_commit_callbacks
) -> None:
    oro = open_order()
    note = json.dumps(
        {
            "SandboxSimulation": {
                "State": "Declined",
                "ReasonCode": "InvalidPaymentMethod",
                "PaymentMethodUpdateTimeInMins": 5,
                "SoftDecline": "true",
            }
        }
    )
    first = services.authorize(oro, synchronous=False, seller_note=note)
    assert first.outcome == "pending"
    receiver = mock.Mock()
    signals.payment_method_update_required.connect(receiver)
    try:
        sim.advance(60)
        with django_capture_on_commit_callbacks(execute=True):
            declined = services.refresh(first.authorization)
    finally:
        signals.payment_method_update_required.disconnect(receiver)
    assert (declined.state, declined.reason_code) == ("Declined", "InvalidPaymentMethod")
    receiver.assert_called_once()
    assert receiver.call_args.kwargs["authorization"] == declined
    oro = services.refresh(oro)
    assert oro.state == "Suspended" and oro.payment_method_update_required

    sim.advance(timedelta(minutes=6))  # the buyer updated the payment method on Amazon
    oro = services.refresh(oro)  # Open again: re-authorized asynchronously
    assert oro.state == "Open" and not oro.payment_method_update_required
    new = Authorization.objects.filter(order_reference=oro).order_by("-attempt").first()
    assert new.attempt == 2 and new.state == "Pending" and new.amount == declined.amount
    sim.advance(60)
    assert services.refresh(new).state == "Open"


def test_reopened_handler_does_nothing_without_a_soft_decline(open_order) -> None:
    assert services.handle_order_reference_reopened(open_order()) is None


def test_cancel_closes_open_authorizations(authorized) -> None:
    auth = authorized()
    oro = services.cancel_order(auth.order_reference, reason="out of stock")
    assert (oro.state, oro.reason_code) == ("Canceled", "SellerCanceled")
    auth.refresh_from_db()
    assert (auth.state, auth.reason_code) == ("Closed", "OrderReferenceCanceled")


def test_close_authorization(authorized) -> None:
    auth = services.close_authorization(authorized(), reason="not shipping")
    assert (auth.state, auth.reason_code) == ("Closed", "SellerClosed")
    assert services.close_authorization(auth).pk == auth.pk  # a repeat is a no-op


def test_capture_completed_signal_after_commit(authorized, django_capture_on_commit_callbacks):
    auth = authorized()
    receiver = mock.Mock()
    signals.capture_completed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            result = services.capture(auth)
        receiver.assert_not_called()
        for callback in callbacks:
            callback()
    finally:
        signals.capture_completed.disconnect(receiver)
    receiver.assert_called_once()
    assert receiver.call_args.kwargs["instance"] == result.capture
    assert receiver.call_args.kwargs["transition"].to_state == "Completed"
