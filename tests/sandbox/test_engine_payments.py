"""PaymentsEngine: Authorize, Capture, Refund, their limits, validations and idempotency."""

from __future__ import annotations

from datetime import timedelta

import pytest

from django_amazonpay.sandbox.errors import SimulatorError
from tests.sandbox.test_engine import Harness


@pytest.fixture
def h() -> Harness:
    return Harness()


# == authorizations =============================================================================
def test_synchronous_authorization_is_open_at_once(h: Harness) -> None:
    oro = h.open_order()
    auth = h.authorize(oro, "13800", SellerAuthorizationNote="note")
    assert auth["AuthorizationStatus"]["State"] == "Open"
    assert auth["AmazonAuthorizationId"].startswith(oro + "-A")
    assert len(auth["AmazonAuthorizationId"]) == len(oro) + 8
    assert auth["SellerAuthorizationNote"] == "note"
    assert auth["SoftDecline"] == "false"
    assert auth["CaptureNow"] == "false"
    assert "SoftDescriptor" not in auth
    assert auth["ExpirationTimestamp"] == "2018-03-19T15:19:06.399Z"  # + 30 days
    assert h.get_order(oro)["IdList"]["member"] == auth["AmazonAuthorizationId"]
    assert h.notes == []  # synchronous changes: no IPN by default


def test_asynchronous_authorization_settles_after_30_seconds(h: Harness) -> None:
    oro = h.open_order()
    auth = h.authorize(oro, "1000", timeout="1440")
    auth_id = auth["AmazonAuthorizationId"]
    assert auth["AuthorizationStatus"]["State"] == "Pending"
    h.advance(seconds=29)
    assert h.state(auth_id) == ("Pending", None)
    h.advance(seconds=1)
    assert h.state(auth_id) == ("Open", None)
    (note,) = h.notes
    assert note.notification_type == "PaymentAuthorize"
    assert note.object_id == auth_id
    assert note.environment == "Sandbox"
    assert note.data_xml.startswith(
        '<?xml version="1.0" encoding="UTF-8"?><AuthorizationNotification xmlns="'
        'https://mws.amazonservices.com/ipn/OffAmazonPayments/2013-01-01">'
    )
    assert "<State>Open</State>" in note.data_xml
    assert "<Amount>1000.0</Amount>" in note.data_xml  # spec 6.5: IPN amounts like 5.0


def test_handle_applies_due_timers_first(h: Harness) -> None:
    oro = h.open_order()
    auth_id = h.authorize(oro, "1000", timeout="5")["AmazonAuthorizationId"]
    h.clock.advance(60)
    result = h.call("GetAuthorizationDetails", AmazonAuthorizationId=auth_id)
    assert result["AuthorizationDetails"]["AuthorizationStatus"]["State"] == "Open"


def test_capture_now_returns_closed_authorization_and_a_capture(h: Harness) -> None:
    oro = h.open_order()
    auth = h.authorize(oro, "13800", CaptureNow="true", SoftDescriptor="SHOP")
    assert auth["AuthorizationStatus"]["State"] == "Closed"
    assert auth["AuthorizationStatus"]["ReasonCode"] == "MaxCapturesProcessed"
    assert auth["CapturedAmount"]["Amount"] == "0"  # spec 2.4: 0 in the Authorize response
    assert auth["SoftDescriptor"] == "AMZ*SHOP"
    cap_id = auth["IdList"]["member"]
    assert cap_id == oro + "-C" + auth["AmazonAuthorizationId"][-6:]
    later = h.call("GetAuthorizationDetails", AmazonAuthorizationId=auth["AmazonAuthorizationId"])
    assert later["AuthorizationDetails"]["CapturedAmount"]["Amount"] == "13800.00"
    assert h.state(cap_id) == ("Completed", None)
    # spec 3.8: a PaymentCapture IPN follows
    assert [n.notification_type for n in h.notes] == ["PaymentCapture"]


def test_async_capture_now_captures_on_settlement(h: Harness) -> None:
    oro = h.open_order()
    auth = h.authorize(oro, "5000", timeout="60", CaptureNow="true")
    assert auth["AuthorizationStatus"]["State"] == "Pending"
    h.advance(seconds=30)
    obj = h.engine.get_object(auth["AmazonAuthorizationId"])
    assert (obj["state"], obj["reason_code"]) == ("Closed", "MaxCapturesProcessed")
    assert obj["captured_amount"] == "5000"
    assert {n.notification_type for n in h.notes} == {"PaymentCapture", "PaymentAuthorize"}


def test_authorization_amount_limit_with_allowance(h: Harness) -> None:
    oro = h.open_order("10000")  # allowance: 15 % = 1500
    h.authorize(oro, "11000")
    err = h.error(
        "Authorize",
        AmazonOrderReferenceId=oro,
        AuthorizationReferenceId="over",
        TransactionTimeout="0",
        **h.money("AuthorizationAmount", "501"),
    )
    assert (err.code, err.status) == ("TransactionAmountExceeded", 400)
    h.authorize(oro, "500")


def test_pending_capture_still_counts_against_the_order_total(h: Harness) -> None:
    oro = h.open_order("10000")
    auth_id = h.authorize(oro, "10000")["AmazonAuthorizationId"]
    h.capture(auth_id, "10000", SellerCaptureNote='{"SandboxSimulation": {"State":"Pending"}}')
    err = h.error(
        "Authorize",
        AmazonOrderReferenceId=oro,
        AuthorizationReferenceId="more",
        **h.money("AuthorizationAmount", "1501"),
    )
    assert err.code == "TransactionAmountExceeded"
    h.authorize(oro, "1500")


def test_allowance_is_capped_in_jpy() -> None:
    h = Harness()
    oro = h.open_order("1000000")  # 15 % would be 150000; cap 8400
    err = h.error(
        "Authorize",
        AmazonOrderReferenceId=oro,
        AuthorizationReferenceId="big",
        **h.money("AuthorizationAmount", "1008401"),
    )
    assert err.code == "TransactionAmountExceeded"
    h.authorize(oro, "1008400")


def test_eleventh_authorization_is_refused(h: Harness) -> None:
    oro = h.open_order("10000")
    for _ in range(10):
        h.authorize(oro, "100")
    err = h.error(
        "Authorize",
        AmazonOrderReferenceId=oro,
        AuthorizationReferenceId="eleven",
        **h.money("AuthorizationAmount", "100"),
    )
    assert (err.code, err.status) == ("TransactionCountExceeded", 400)
    assert len(h.get_order(oro)["IdList"]["member"]) == 10


def test_close_authorization(h: Harness) -> None:
    oro = h.open_order()
    auth_id = h.authorize(oro, "1000")["AmazonAuthorizationId"]
    h.call("CloseAuthorization", AmazonAuthorizationId=auth_id, ClosureReason="no stock")
    obj = h.engine.get_object(auth_id)
    assert (obj["state"], obj["reason_code"], obj["reason_description"]) == (
        "Closed",
        "SellerClosed",
        "no stock",
    )
    err = h.error("CloseAuthorization", AmazonAuthorizationId=auth_id)
    assert (err.code, err.status) == ("InvalidAuthorizationStatus", 405)
    pending = h.authorize(oro, "1000", timeout="5")["AmazonAuthorizationId"]
    h.call("CloseAuthorization", AmazonAuthorizationId=pending)
    h.advance(minutes=5)
    assert h.state(pending) == ("Closed", "SellerClosed")


# == captures ===================================================================================
def test_capture_closes_the_authorization_even_when_partial(h: Harness) -> None:
    oro = h.open_order()
    auth_id = h.authorize(oro, "13800")["AmazonAuthorizationId"]
    cap = h.capture(auth_id, "5000", SellerCaptureNote="part")
    assert cap["CaptureStatus"]["State"] == "Completed"
    assert cap["SellerCaptureNote"] == "part"
    assert cap["CaptureFee"]["Amount"] == "0.00"
    assert cap["RefundedAmount"]["Amount"] == "0"
    assert cap["SoftDescriptor"] == "AMZ*A9FVERUG2LKD"  # no store name: the seller id, 16 max
    assert h.state(auth_id) == ("Closed", "MaxCapturesProcessed")
    err = h.error(
        "Capture",
        AmazonAuthorizationId=auth_id,
        CaptureReferenceId="again",
        **h.money("CaptureAmount", "100"),
    )
    assert (err.code, err.status) == ("InvalidAuthorizationStatus", 405)


def test_default_soft_descriptor_uses_store_name(h: Harness) -> None:
    oro = h.engine.create_order_reference()
    h.set_order(oro, **{"SellerOrderAttributes.StoreName": "A very long store name"})
    h.call("ConfirmOrderReference", AmazonOrderReferenceId=oro)
    auth_id = h.authorize(oro)["AmazonAuthorizationId"]
    assert h.capture(auth_id)["SoftDescriptor"] == "AMZ*A very long"


def test_capture_above_the_authorization_is_refused(h: Harness) -> None:
    oro = h.open_order()
    auth_id = h.authorize(oro, "1000")["AmazonAuthorizationId"]
    err = h.error(
        "Capture",
        AmazonAuthorizationId=auth_id,
        CaptureReferenceId="c",
        **h.money("CaptureAmount", "1001"),
    )
    assert (err.code, err.status) == ("TransactionAmountExceeded", 400)
    assert h.state(auth_id) == ("Open", None)


def test_capture_after_seven_days_is_pending_then_completed(h: Harness) -> None:
    oro = h.open_order()
    auth_id = h.authorize(oro, "1000")["AmazonAuthorizationId"]
    h.advance(days=1)  # sandbox authorizations expire after 2 days: capture before that
    h.engine.store.authorizations[auth_id].created -= timedelta(days=7)
    cap = h.capture(auth_id, "1000")
    assert cap["CaptureStatus"]["State"] == "Pending"
    h.advance(seconds=3599)
    assert h.state(cap["AmazonCaptureId"]) == ("Pending", None)
    h.advance(seconds=1)
    assert h.state(cap["AmazonCaptureId"]) == ("Completed", None)
    assert h.notes[-1].notification_type == "PaymentCapture"


def test_max_amount_charged_closes_the_order(h: Harness) -> None:
    oro = h.open_order("10000")
    auth_id = h.authorize(oro, "11500")["AmazonAuthorizationId"]
    h.capture(auth_id, "11500")
    assert h.state(oro) == ("Closed", "MaxAmountCharged")
    assert h.notes[-1].notification_type == "OrderReferenceNotification"
    assert "<ReasonCode>MaxAmountCharged</ReasonCode>" in h.notes[-1].data_xml
    assert f"<SellerId>{'A9FVERUG2LKDK'}</SellerId>" in h.notes[-1].data_xml


def test_tenth_captured_authorization_closes_the_order(h: Harness) -> None:
    oro = h.open_order("10000")
    for _ in range(10):
        h.capture(h.authorize(oro, "100")["AmazonAuthorizationId"], "100")
    assert h.state(oro) == ("Closed", "MaxAuthorizationsCaptured")


# == refunds ====================================================================================
def test_refund_is_pending_then_completed_after_31_seconds(h: Harness) -> None:
    _, _, cap_id = h.captured_order()
    ref = h.refund(cap_id, "1000", SellerRefundNote="sorry")
    assert ref["RefundStatus"]["State"] == "Pending"
    assert ref["RefundType"] == "SellerInitiated"
    assert ref["FeeRefunded"]["Amount"] == "0.00"
    assert ref["SellerRefundNote"] == "sorry"
    assert ref["AmazonRefundId"].startswith(cap_id[:19] + "-R")
    h.advance(seconds=30)
    assert h.state(ref["AmazonRefundId"]) == ("Pending", None)
    h.advance(seconds=1)
    assert h.state(ref["AmazonRefundId"]) == ("Completed", None)
    assert h.notes[-1].notification_type == "PaymentRefund"
    cap = h.call("GetCaptureDetails", AmazonCaptureId=cap_id)["CaptureDetails"]
    assert cap["RefundedAmount"]["Amount"] == "1000.00"
    assert cap["IdList"]["member"] == ref["AmazonRefundId"]
    got = h.call("GetRefundDetails", AmazonRefundId=ref["AmazonRefundId"])["RefundDetails"]
    assert got["RefundStatus"]["State"] == "Completed"


def test_refunds_up_to_captured_plus_allowance_then_closed(h: Harness) -> None:
    _, _, cap_id = h.captured_order("10000")
    h.refund(cap_id, "10000")
    err = h.error(
        "Refund",
        AmazonCaptureId=cap_id,
        RefundReferenceId="r-over",
        **h.money("RefundAmount", "1501"),
    )
    assert (err.code, err.status) == ("TransactionAmountExceeded", 400)
    h.refund(cap_id, "1500")
    h.advance(seconds=31)
    assert h.state(cap_id) == ("Closed", "MaxAmountRefunded")
    err = h.error(
        "Refund",
        AmazonCaptureId=cap_id,
        RefundReferenceId="r-late",
        **h.money("RefundAmount", "1"),
    )
    assert (err.code, err.status) == ("CaptureNotRefundable", 405)


def test_ten_refunds_then_max_refunds_processed(h: Harness) -> None:
    _, _, cap_id = h.captured_order("10000")
    for _ in range(10):
        h.refund(cap_id, "10")
    err = h.error(
        "Refund", AmazonCaptureId=cap_id, RefundReferenceId="r-11", **h.money("RefundAmount", "10")
    )
    assert (err.code, err.status) == ("TransactionCountExceeded", 400)
    h.advance(seconds=31)
    assert h.state(cap_id) == ("Closed", "MaxRefundsProcessed")
    assert len(h.engine.get_object(cap_id)["id_list"]) == 10


def test_refund_on_a_pending_capture_is_not_refundable(h: Harness) -> None:
    oro = h.open_order()
    auth_id = h.authorize(oro)["AmazonAuthorizationId"]
    note = '{"SandboxSimulation": {"State":"Pending"}}'
    cap_id = h.capture(auth_id, SellerCaptureNote=note)["AmazonCaptureId"]
    err = h.error(
        "Refund", AmazonCaptureId=cap_id, RefundReferenceId="r", **h.money("RefundAmount", "1")
    )
    assert (err.code, err.status) == ("CaptureNotRefundable", 405)


# == idempotency (spec 3.9) =====================================================================
def test_same_authorize_twice_returns_the_same_object(h: Harness) -> None:
    oro = h.open_order()
    first = h.authorize(oro, "1000", ref="same")
    again = h.authorize(oro, "1000", ref="same")
    assert again["AmazonAuthorizationId"] == first["AmazonAuthorizationId"]
    assert len(h.engine.get_object(oro)["id_list"]) == 1
    # after a capture the replay shows the current details
    h.capture(first["AmazonAuthorizationId"], "1000")
    replay = h.authorize(oro, "1000", ref="same")
    assert replay["AuthorizationStatus"]["State"] == "Closed"


def test_same_reference_different_parameters_is_duplicate_request(h: Harness) -> None:
    oro = h.open_order()
    h.authorize(oro, "1000", ref="same")
    err = h.error(
        "Authorize",
        AmazonOrderReferenceId=oro,
        AuthorizationReferenceId="same",
        TransactionTimeout="0",
        **h.money("AuthorizationAmount", "2000"),
    )
    assert (err.code, err.status) == ("DuplicateRequest", 400)


def test_reference_id_of_another_operation_is_duplicate_reference_id(h: Harness) -> None:
    oro = h.open_order()
    auth_id = h.authorize(oro, "1000", ref="shared")["AmazonAuthorizationId"]
    err = h.error(
        "Capture",
        AmazonAuthorizationId=auth_id,
        CaptureReferenceId="shared",
        **h.money("CaptureAmount", "1000"),
    )
    assert (err.code, err.status) == ("DuplicateReferenceId", 400)


def test_capture_and_refund_replays(h: Harness) -> None:
    oro = h.open_order()
    auth_id = h.authorize(oro, "1000")["AmazonAuthorizationId"]
    cap = h.capture(auth_id, "1000", ref="cap-1")
    assert h.capture(auth_id, "1000", ref="cap-1")["AmazonCaptureId"] == cap["AmazonCaptureId"]
    ref = h.refund(cap["AmazonCaptureId"], "10", ref="ref-1")
    again = h.refund(cap["AmazonCaptureId"], "10", ref="ref-1")
    assert again["AmazonRefundId"] == ref["AmazonRefundId"]
    assert len(h.engine.get_object(cap["AmazonCaptureId"])["id_list"]) == 1
    err = h.error(
        "Refund",
        AmazonCaptureId=cap["AmazonCaptureId"],
        RefundReferenceId="ref-1",
        **h.money("RefundAmount", "11"),
    )
    assert err.code == "DuplicateRequest"


# == parameter validation =======================================================================
def _authorize_error(h: Harness, oro: str, **overrides: str | None) -> SimulatorError:
    params = {
        "AmazonOrderReferenceId": oro,
        "AuthorizationReferenceId": "ok-ref",
        "AuthorizationAmount.Amount": "100",
        "AuthorizationAmount.CurrencyCode": "JPY",
        **overrides,
    }
    params = {k: v for k, v in params.items() if v is not None}
    return h.error("Authorize", **params)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"AuthorizationAmount.CurrencyCode": "USD"}, "CurrencyMismatch"),
        ({"AuthorizationAmount.Amount": "0"}, "InvalidParameterValue"),
        ({"AuthorizationAmount.Amount": "-5"}, "InvalidParameterValue"),
        ({"AuthorizationAmount.Amount": "abc"}, "InvalidParameterValue"),
        ({"AuthorizationAmount.Amount": "100.5"}, "InvalidParameterValue"),  # JPY: no decimals
        ({"AuthorizationAmount.Amount": "10000001"}, "TransactionAmountExceeded"),
        ({"AuthorizationAmount.Amount": None}, "InvalidParameterValue"),
        ({"AuthorizationAmount.CurrencyCode": None}, "InvalidParameterValue"),
        ({"AuthorizationReferenceId": "x" * 33}, "InvalidParameterValue"),
        ({"AuthorizationReferenceId": "has space"}, "InvalidParameterValue"),
        ({"AuthorizationReferenceId": None}, "InvalidParameterValue"),
        ({"SellerAuthorizationNote": "n" * 256}, "InvalidParameterValue"),
        ({"SoftDescriptor": "s" * 17}, "InvalidParameterValue"),
        ({"TransactionTimeout": "7"}, "InvalidParameterValue"),
        ({"TransactionTimeout": "1445"}, "InvalidParameterValue"),
        ({"TransactionTimeout": "soon"}, "InvalidParameterValue"),
        ({"CaptureNow": "maybe"}, "InvalidParameterValue"),
    ],
)
def test_authorize_parameter_validation(h: Harness, overrides: dict, code: str) -> None:
    oro = h.open_order()
    err = _authorize_error(h, oro, **overrides)
    assert (err.code, err.status) == (code, 400)


def test_valid_edge_values_are_accepted(h: Harness) -> None:
    oro = h.open_order()
    h.authorize(
        oro,
        "100",
        timeout="1440",
        SellerAuthorizationNote="n" * 255,
        ref="x" * 32,
        SoftDescriptor="s" * 16,
    )
    h.authorize(oro, "100", timeout="5", ref="a-b_C-9")


def test_usd_allows_cents_but_not_mills() -> None:
    h = Harness("us")
    oro = h.open_order("100.50")
    assert h.authorize(oro, "100.5")["AuthorizationAmount"]["Amount"] == "100.50"
    err = h.error(
        "Authorize",
        AmazonOrderReferenceId=oro,
        AuthorizationReferenceId="m",
        **h.money("AuthorizationAmount", "0.001"),
    )
    assert err.code == "InvalidParameterValue"


def test_order_total_validation(h: Harness) -> None:
    oro = h.engine.create_order_reference()
    for amount, currency, code in (
        ("10000001", "JPY", "InvalidParameterValue"),
        ("100", "EUR", "CurrencyMismatch"),
        ("1.5", "JPY", "InvalidParameterValue"),
    ):
        err = h.error(
            "SetOrderReferenceDetails",
            AmazonOrderReferenceId=oro,
            **{
                "OrderReferenceAttributes.OrderTotal.Amount": amount,
                "OrderReferenceAttributes.OrderTotal.CurrencyCode": currency,
            },
        )
        assert (err.code, err.status) == (code, 400)
    with pytest.raises(SimulatorError) as info:
        h.set_order(oro, SellerNote="x" * 1025)
    assert info.value.code == "InvalidParameterValue"
    h.set_order(oro, SellerNote="x" * 1024)


def test_capture_and_refund_note_lengths(h: Harness) -> None:
    oro = h.open_order()
    auth_id = h.authorize(oro)["AmazonAuthorizationId"]
    err = h.error(
        "Capture",
        AmazonAuthorizationId=auth_id,
        CaptureReferenceId="c",
        SellerCaptureNote="n" * 256,
        **h.money("CaptureAmount", "1"),
    )
    assert err.code == "InvalidParameterValue"
    cap_id = h.capture(auth_id)["AmazonCaptureId"]
    err = h.error(
        "Refund",
        AmazonCaptureId=cap_id,
        RefundReferenceId="r",
        SellerRefundNote="n" * 256,
        **h.money("RefundAmount", "1"),
    )
    assert err.code == "InvalidParameterValue"
    err = h.error(
        "Refund", AmazonCaptureId=cap_id, RefundReferenceId="r", **h.money("RefundAmount", "0")
    )
    assert err.code == "InvalidParameterValue"
