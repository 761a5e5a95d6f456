"""Declines and Amazon's sandbox simulation strings (spec 3.10, 5) through the services."""

from __future__ import annotations

import json

import pytest

from django_amazonpay import services
from django_amazonpay.models import Authorization
from django_amazonpay.services import AmazonRequestError

from .conftest import draft, with_details

pytestmark = pytest.mark.django_db


def simulation(**fields) -> str:
    return json.dumps({"SandboxSimulation": fields})


def test_invalid_payment_method_suspends_then_another_method_works(sim, open_order) -> None:
    oro = open_order(payment_method="decline-invalid-payment-method")
    result = services.authorize(oro, synchronous=True)
    assert (result.outcome, result.reason_code) == ("declined", "InvalidPaymentMethod")
    assert result.next_action == "choose_another_payment_method"
    assert result.soft_decline is True
    oro.refresh_from_db()
    assert (oro.state, oro.reason_code) == ("Suspended", "InvalidPaymentMethod")
    with pytest.raises(services.InvalidStateError, match="choose another payment method"):
        services.authorize(oro, synchronous=True)

    sim.set_payment_method(oro.amazon_order_reference_id, "jcb-3333")  # the wallet widget
    oro = services.confirm(oro)
    assert oro.state == "Open"
    again = services.authorize(oro, synchronous=True)
    assert again.outcome == "authorized"
    assert again.authorization.attempt == 2
    assert not oro.payment_method_update_required


def test_hard_decline(open_order) -> None:
    result = services.authorize(
        open_order(payment_method="decline-invalid-payment-method-hard"), synchronous=True
    )
    assert result.soft_decline is False
    assert result.next_action == "choose_another_payment_method"


def test_amazon_rejected_closes_the_order(open_order) -> None:
    oro = open_order(payment_method="decline-amazon-rejected")
    result = services.authorize(oro, synchronous=True)
    assert (result.outcome, result.next_action) == ("declined", "pay_another_way")
    oro.refresh_from_db()
    assert oro.state == "Closed"


def test_transaction_timed_out_retries_asynchronously(open_order) -> None:
    oro = open_order(payment_method="decline-transaction-timed-out")
    result = services.authorize(oro, synchronous=True)
    assert result.previous[0].reason_code == "TransactionTimedOut"
    assert result.outcome == "pending"
    assert result.authorization.transaction_timeout == 1440
    oro.refresh_from_db()
    assert oro.state == "Open"


def test_transaction_timed_out_cancels_when_configured(configure, open_order) -> None:
    configure(ON_TRANSACTION_TIMED_OUT="cancel")
    oro = open_order(payment_method="decline-transaction-timed-out")
    result = services.authorize(oro, synchronous=True)
    assert (result.outcome, result.next_action) == ("declined", "pay_another_way")
    oro.refresh_from_db()
    assert (oro.state, oro.reason_code) == ("Canceled", "SellerCanceled")


def test_processing_failure_is_retried_within_the_limit(configure, open_order) -> None:
    configure(PROCESSING_FAILURE_RETRIES=2)
    oro = open_order(payment_method="decline-processing-failure")
    result = services.authorize(oro, synchronous=True)
    assert (result.outcome, result.next_action) == ("declined", "retry")
    assert len(result.previous) == 2
    assert Authorization.objects.filter(order_reference=oro).count() == 3


@pytest.mark.parametrize(
    ("note", "state", "reason", "oro_state", "next_action"),
    [
        (
            simulation(State="Declined", ReasonCode="InvalidPaymentMethod", SoftDecline="false"),
            "Declined",
            "InvalidPaymentMethod",
            "Suspended",
            "choose_another_payment_method",
        ),
        (
            simulation(State="Declined", ReasonCode="AmazonRejected"),
            "Declined",
            "AmazonRejected",
            "Closed",
            "pay_another_way",
        ),
        (
            simulation(State="Closed", ReasonCode="AmazonClosed"),
            "Closed",
            "AmazonClosed",
            "Open",
            "none",
        ),
    ],
)
def test_authorize_simulation_strings(open_order, note, state, reason, oro_state, next_action):
    oro = open_order()
    result = services.authorize(oro, synchronous=True, seller_note=note)
    auth = result.authorization
    assert (auth.state, auth.reason_code, result.next_action) == (state, reason, next_action)
    oro.refresh_from_db()
    assert oro.state == oro_state


def test_timed_out_simulation_string_retries_async(open_order) -> None:
    note = simulation(State="Declined", ReasonCode="TransactionTimedOut")
    result = services.authorize(open_order(), synchronous=True, seller_note=note)
    assert result.previous[0].reason_code == "TransactionTimedOut"
    assert result.outcome in ("pending", "declined")


def test_expired_unused_simulation(sim, open_order) -> None:
    note = simulation(State="Closed", ReasonCode="ExpiredUnused", ExpirationTimeInMins=1)
    result = services.authorize(open_order(), synchronous=True, seller_note=note)
    assert result.outcome == "authorized"
    sim.advance(120)
    auth = services.refresh(result.authorization)
    assert (auth.state, auth.reason_code) == ("Closed", "ExpiredUnused")


@pytest.mark.parametrize(
    ("note", "outcome", "state", "reason"),
    [
        (simulation(State="Pending"), "pending", "Pending", ""),
        (
            simulation(State="Declined", ReasonCode="AmazonRejected"),
            "declined",
            "Declined",
            "AmazonRejected",
        ),
        (simulation(State="Closed", ReasonCode="AmazonClosed"), "closed", "Closed", "AmazonClosed"),
    ],
)
def test_capture_simulation_strings(authorized, note, outcome, state, reason) -> None:
    result = services.capture(authorized(), seller_note=note)
    assert result.outcome == outcome
    assert (result.capture.state, result.capture.reason_code) == (state, reason)


def test_pending_capture_is_settled_by_refresh(sim, authorized) -> None:
    result = services.capture(authorized(), seller_note=simulation(State="Pending"))
    assert result.outcome == "pending"
    sim.advance(2 * 3600)
    assert services.refresh(result.capture).state == "Completed"


def test_refund_declined_simulation(sim, captured) -> None:
    note = simulation(State="Declined", ReasonCode="AmazonRejected")
    result = services.refund(captured(), amount=100, seller_note=note)
    sim.advance(60)
    refund = services.refresh(result.refund)
    assert (refund.state, refund.reason_code) == ("Declined", "AmazonRejected")


def test_close_simulation_string_amazon_closed(open_order) -> None:
    note = simulation(State="Closed", ReasonCode="AmazonClosed")
    oro = services.close_order(open_order(), reason=note)
    assert (oro.state, oro.reason_code) == ("Closed", "AmazonClosed")


def test_constraint_simulation_blocks_confirm(sim) -> None:
    note = simulation(Constraint="PaymentMethodNotAllowed")
    oro = with_details(draft(sim), seller_note=note)
    with pytest.raises(AmazonRequestError) as info:
        services.confirm(oro)
    assert info.value.amazon_code == "ConstraintsExist"
    oro.refresh_from_db()
    assert oro.state == "Draft"
    oro = services.confirm(with_details(oro, seller_note="fixed"))
    assert oro.state == "Open"
