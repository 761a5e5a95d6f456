"""PaymentsEngine: sandbox simulation strings (spec 5), wallet test methods and decline effects."""

from __future__ import annotations

import json

import pytest

from tests.sandbox.test_engine import Harness


def sim(**spec: object) -> str:
    return json.dumps({"SandboxSimulation": spec})


@pytest.fixture
def h() -> Harness:
    return Harness()


# == order reference ============================================================================
def test_seller_note_constraint_and_its_removal(h: Harness) -> None:
    oro = h.engine.create_order_reference()
    details = h.set_order(oro, SellerNote=sim(Constraint="PaymentMethodNotAllowed"))
    assert details["Constraints"]["Constraint"]["ConstraintID"] == "PaymentMethodNotAllowed"
    assert h.error("ConfirmOrderReference", AmazonOrderReferenceId=oro).code == "ConstraintsExist"
    h.set_order(oro, SellerNote="plain note")  # spec 5: another SellerNote removes it
    h.call("ConfirmOrderReference", AmazonOrderReferenceId=oro)
    assert h.state(oro) == ("Open", None)


def test_close_order_amazon_closed(h: Harness) -> None:
    oro = h.open_order()
    reason = '{"SandboxSimulation": {"State":"Closed","ReasonCode":"AmazonClosed"}}'
    h.call("CloseOrderReference", AmazonOrderReferenceId=oro, ClosureReason=reason)
    assert h.state(oro) == ("Closed", "AmazonClosed")


def test_simulations_are_ignored_on_the_live_path(h: Harness) -> None:
    oro = h.open_order(env="Live")
    note = sim(State="Declined", ReasonCode="AmazonRejected")
    auth = h.authorize(oro, "1000", env="Live", SellerAuthorizationNote=note)
    assert auth["AuthorizationStatus"]["State"] == "Open"
    assert auth["SellerAuthorizationNote"] == note


@pytest.mark.parametrize(
    ("field", "note"),
    [
        ("SellerAuthorizationNote", sim(State="Declined", ReasonCode="Nope")),
        ("SellerAuthorizationNote", sim(State="Pending")),
        ("SellerAuthorizationNote", sim(State="Declined", ReasonCode="ProcessingFailure")),
        ("SellerAuthorizationNote", sim(State="Declined", ReasonCode="AmazonRejected", Extra=1)),
        (
            "SellerAuthorizationNote",
            sim(State="Declined", ReasonCode="InvalidPaymentMethod", SoftDecline="maybe"),
        ),
        (
            "SellerAuthorizationNote",
            sim(State="Closed", ReasonCode="ExpiredUnused", ExpirationTimeInMins="x"),
        ),
        ("SellerAuthorizationNote", '{"SandboxSimulation": broken'),
        ("SellerAuthorizationNote", '{"SandboxSimulation": "Declined"}'),
    ],
)
def test_invalid_authorize_simulations(h: Harness, field: str, note: str) -> None:
    oro = h.open_order()
    err = h.error(
        "Authorize",
        AmazonOrderReferenceId=oro,
        AuthorizationReferenceId="a",
        **{field: note},
        **h.money("AuthorizationAmount", "1"),
    )
    assert (err.code, err.status) == ("InvalidSandboxSimulationSpecified", 400)
    assert h.get_order(oro)["IdList"] is None


def test_invalid_simulations_in_other_fields(h: Harness) -> None:
    oro = h.engine.create_order_reference()
    err = h.error(
        "SetOrderReferenceDetails",
        AmazonOrderReferenceId=oro,
        **{"OrderReferenceAttributes.SellerNote": sim(Constraint="AmountNotSet")},
        **h.money("OrderReferenceAttributes.OrderTotal", "100"),
    )
    assert err.code == "InvalidSandboxSimulationSpecified"
    oro, _, cap_id = h.captured_order()
    err = h.error(
        "CloseOrderReference",
        AmazonOrderReferenceId=oro,
        ClosureReason=sim(State="Closed", ReasonCode="SellerClosed"),
    )
    assert err.code == "InvalidSandboxSimulationSpecified"
    err = h.error(
        "Refund",
        AmazonCaptureId=cap_id,
        RefundReferenceId="r",
        SellerRefundNote=sim(State="Pending"),
        **h.money("RefundAmount", "1"),
    )
    assert err.code == "InvalidSandboxSimulationSpecified"


# == authorization simulations ==================================================================
@pytest.mark.parametrize("timeout", ["0", "60"])
def test_invalid_payment_method_suspends_and_reverts(h: Harness, timeout: str) -> None:
    oro = h.open_order()
    note = sim(
        State="Declined",
        ReasonCode="InvalidPaymentMethod",
        PaymentMethodUpdateTimeInMins=5,
        SoftDecline="true",
    )
    auth = h.authorize(oro, "1000", timeout=timeout, SellerAuthorizationNote=note)
    if timeout != "0":
        assert auth["AuthorizationStatus"]["State"] == "Pending"
        h.advance(seconds=30)
    else:
        assert auth["AuthorizationStatus"]["State"] == "Declined"
        assert auth["SoftDecline"] == "true"
    assert h.state(auth["AmazonAuthorizationId"]) == ("Declined", "InvalidPaymentMethod")
    assert h.state(oro) == ("Suspended", "InvalidPaymentMethod")
    assert h.engine.get_object(auth["AmazonAuthorizationId"])["soft_decline"] is True
    h.notes.clear()
    h.advance(minutes=5)
    assert h.state(oro) == ("Open", None)
    (note_ipn,) = h.notes
    assert note_ipn.notification_type == "OrderReferenceNotification"
    assert "<State>Open</State>" in note_ipn.data_xml


def test_hard_decline(h: Harness) -> None:
    oro = h.open_order()
    note = sim(State="Declined", ReasonCode="InvalidPaymentMethod", SoftDecline="false")
    auth = h.authorize(oro, "1000", SellerAuthorizationNote=note)
    assert auth["SoftDecline"] == "false"
    assert h.state(oro) == ("Suspended", "InvalidPaymentMethod")
    h.advance(days=1)
    assert h.state(oro) == ("Suspended", "InvalidPaymentMethod")  # no revert without the minutes


def test_suspended_needs_a_new_payment_method_to_reopen(h: Harness) -> None:
    oro = h.open_order(payment_method="decline-invalid-payment-method")
    auth = h.authorize(oro, "1000")
    assert (auth["AuthorizationStatus"]["ReasonCode"], auth["SoftDecline"]) == (
        "InvalidPaymentMethod",
        "true",
    )
    assert h.state(oro)[0] == "Suspended"
    err = h.error(
        "Authorize",
        AmazonOrderReferenceId=oro,
        AuthorizationReferenceId="again",
        **h.money("AuthorizationAmount", "1000"),
    )
    assert (err.code, err.status) == ("InvalidOrderReferenceStatus", 405)
    err = h.error("ConfirmOrderReference", AmazonOrderReferenceId=oro)
    assert (err.code, err.status) == ("PaymentMethodNotUpdated", 400)
    h.engine.set_payment_method(oro, "visa-1111")
    h.call("ConfirmOrderReference", AmazonOrderReferenceId=oro)
    assert h.state(oro) == ("Open", None)
    assert h.authorize(oro, "1000")["AuthorizationStatus"]["State"] == "Open"


@pytest.mark.parametrize(
    ("method", "reason", "order_after"),
    [
        (
            "decline-invalid-payment-method-hard",
            "InvalidPaymentMethod",
            ("Suspended", "InvalidPaymentMethod"),
        ),
        ("decline-amazon-rejected", "AmazonRejected", ("Closed", "AmazonClosed")),
        ("decline-transaction-timed-out", "TransactionTimedOut", ("Open", None)),
        ("decline-processing-failure", "ProcessingFailure", ("Open", None)),
    ],
)
def test_wallet_decline_methods(h: Harness, method: str, reason: str, order_after: tuple) -> None:
    oro = h.open_order(payment_method=method)
    auth = h.authorize(oro, "1000")
    assert auth["AuthorizationStatus"]["State"] == "Declined"
    assert auth["AuthorizationStatus"]["ReasonCode"] == reason
    assert auth["SoftDecline"] == "false"
    assert h.state(oro) == order_after


@pytest.mark.parametrize(
    ("reason", "order_after"),
    [("AmazonRejected", ("Closed", "AmazonClosed")), ("TransactionTimedOut", ("Open", None))],
)
def test_decline_simulations(h: Harness, reason: str, order_after: tuple) -> None:
    oro = h.open_order()
    auth = h.authorize(
        oro, "1000", SellerAuthorizationNote=sim(State="Declined", ReasonCode=reason)
    )
    assert auth["AuthorizationStatus"]["ReasonCode"] == reason
    assert h.state(oro) == order_after
    if reason == "AmazonRejected":
        assert h.notes[-1].notification_type == "OrderReferenceNotification"


def test_async_transaction_timed_out_waits_for_the_timeout(h: Harness) -> None:
    oro = h.open_order()
    note = sim(State="Declined", ReasonCode="TransactionTimedOut")
    auth_id = h.authorize(oro, "1000", timeout="10", SellerAuthorizationNote=note)[
        "AmazonAuthorizationId"
    ]
    h.advance(minutes=9)
    assert h.state(auth_id) == ("Pending", None)
    h.advance(minutes=1)
    assert h.state(auth_id) == ("Declined", "TransactionTimedOut")


def test_expired_unused_after_given_minutes(h: Harness) -> None:
    oro = h.open_order()
    note = sim(State="Closed", ReasonCode="ExpiredUnused", ExpirationTimeInMins=1)
    auth = h.authorize(oro, "1000", SellerAuthorizationNote=note)
    assert auth["AuthorizationStatus"]["State"] == "Open"
    h.advance(seconds=59)
    assert h.state(auth["AmazonAuthorizationId"]) == ("Open", None)
    h.advance(seconds=1)
    assert h.state(auth["AmazonAuthorizationId"]) == ("Closed", "ExpiredUnused")
    assert h.notes[-1].notification_type == "PaymentAuthorize"
    # an expired authorization frees its amount for a new one
    h.authorize(oro, "13800")


def test_authorization_amazon_closed(h: Harness) -> None:
    oro = h.open_order()
    auth = h.authorize(
        oro, "1000", SellerAuthorizationNote=sim(State="Closed", ReasonCode="AmazonClosed")
    )
    assert (auth["AuthorizationStatus"]["State"], auth["AuthorizationStatus"]["ReasonCode"]) == (
        "Closed",
        "AmazonClosed",
    )
    assert h.state(oro) == ("Open", None)


# == capture and refund simulations =============================================================
def test_capture_pending_simulation(h: Harness) -> None:
    oro = h.open_order()
    auth_id = h.authorize(oro, "1000")["AmazonAuthorizationId"]
    cap = h.capture(auth_id, "1000", SellerCaptureNote=sim(State="Pending"))
    assert cap["CaptureStatus"]["State"] == "Pending"
    assert h.state(auth_id) == ("Closed", "MaxCapturesProcessed")
    h.advance(hours=1)
    assert h.state(cap["AmazonCaptureId"]) == ("Completed", None)
    assert h.engine.get_object(auth_id)["captured_amount"] == "1000"


def test_capture_declined_keeps_the_authorization_open(h: Harness) -> None:
    oro = h.open_order()
    auth_id = h.authorize(oro, "1000")["AmazonAuthorizationId"]
    note = sim(State="Declined", ReasonCode="AmazonRejected")
    cap = h.capture(auth_id, "1000", SellerCaptureNote=note)
    assert (cap["CaptureStatus"]["State"], cap["CaptureStatus"]["ReasonCode"]) == (
        "Declined",
        "AmazonRejected",
    )
    assert h.state(auth_id) == ("Open", None)
    retry = h.capture(auth_id, "1000")
    assert retry["CaptureStatus"]["State"] == "Completed"
    assert retry["AmazonCaptureId"] != cap["AmazonCaptureId"]
    ids = h.engine.get_object(auth_id)["id_list"]
    assert ids == [cap["AmazonCaptureId"], retry["AmazonCaptureId"]]
    # a declined capture does not block cancel; a completed one does
    assert (
        h.error("CancelOrderReference", AmazonOrderReferenceId=oro).code == "InvalidCancelAttempt"
    )


def test_capture_closed_amazon_closed_is_not_refundable(h: Harness) -> None:
    oro = h.open_order()
    auth_id = h.authorize(oro, "1000")["AmazonAuthorizationId"]
    note = sim(State="Closed", ReasonCode="AmazonClosed")
    cap_id = h.capture(auth_id, "1000", SellerCaptureNote=note)["AmazonCaptureId"]
    assert h.state(cap_id) == ("Closed", "AmazonClosed")
    err = h.error(
        "Refund", AmazonCaptureId=cap_id, RefundReferenceId="r", **h.money("RefundAmount", "1")
    )
    assert err.code == "CaptureNotRefundable"


def test_refund_declined_simulation(h: Harness) -> None:
    _, _, cap_id = h.captured_order()
    note = sim(State="Declined", ReasonCode="AmazonRejected")
    ref = h.refund(cap_id, "100", SellerRefundNote=note)
    assert ref["RefundStatus"]["State"] == "Pending"  # always Pending first (spec 2.4)
    h.advance(seconds=31)
    assert h.state(ref["AmazonRefundId"]) == ("Declined", "AmazonRejected")
    assert h.engine.get_object(cap_id)["refunded_amount"] == "0"
    assert h.notes[-1].notification_type == "PaymentRefund"
