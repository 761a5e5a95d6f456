"""Every OffAmazonPayments operation against the in-process simulator (seed-000-like flows)
and every error class provoked for real; input validation that sends nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from django_amazonpay.amounts import Amount
from django_amazonpay.mws import PaymentsClient, errors

from .conftest import FakeAdapter, jpy, make_config

SIMULATE = '{"SandboxSimulation": {"State":"Declined", "ReasonCode":"%s"}}'


def confirmed(client: PaymentsClient, sim: Any, total: int = 13800) -> str:
    oid = sim.create_order_reference()
    client.set_order_reference_details(
        oid, order_total=jpy(total), seller_order_id="180206-140000-0000", store_name="ictact"
    )
    client.confirm_order_reference(oid)
    return oid


def test_seed_000_checkout(client: PaymentsClient, sim: Any, records: list[Any]) -> None:
    oid = sim.create_order_reference()
    draft = client.get_order_reference_details(oid)
    assert draft.status.state == "Draft"
    assert [c.constraint_id for c in draft.constraints] == ["AmountNotSet"]
    assert draft.request_id

    details = client.set_order_reference_details(
        oid, order_total=jpy(13800), seller_order_id="180206-140000-0000", store_name="ictact"
    )
    assert details.order_total == Amount(Decimal("13800"), "JPY")
    assert details.seller_order_attributes.seller_order_id == "180206-140000-0000"
    assert details.constraints == ()

    ack = client.confirm_order_reference(oid)
    assert ack.request_id
    opened = client.get_order_reference_details(oid)
    assert opened.status.state == "Open" and opened.status.last_update is not None
    assert opened.buyer is not None

    auth = client.authorize(
        oid, authorization_reference_id="A-1-180206", amount=jpy(13800), transaction_timeout=0
    )
    assert auth.status.state == "Open" and auth.authorization_reference_id == "A-1-180206"
    assert client.get_authorization_details(auth.amazon_authorization_id).status.state == "Open"

    capture = client.capture(
        auth.amazon_authorization_id, capture_reference_id="C-26-180206", amount=jpy(13800)
    )
    assert capture.status.state == "Completed"
    assert client.get_capture_details(capture.amazon_capture_id).capture_amount == jpy(13800)
    after = client.get_authorization_details(auth.amazon_authorization_id)
    assert after.status.reason_code == "MaxCapturesProcessed"
    assert after.id_list == (capture.amazon_capture_id,)

    refund = client.refund(capture.amazon_capture_id, refund_reference_id="R-1", amount=jpy(800))
    assert refund.status.state == "Pending" and refund.refund_amount == jpy(800)
    assert client.get_refund_details(refund.amazon_refund_id).refund_reference_id == "R-1"

    client.close_order_reference(oid, reason="close")
    closed = client.get_order_reference_details(oid)
    assert (closed.status.state, closed.status.reason_code) == ("Closed", "SellerClosed")
    assert closed.status.reason_description == "close"
    assert closed.id_list == (auth.amazon_authorization_id,)
    assert all(r.outcome == "ok" and r.attempts == 1 for r in records)
    assert records[0].operation == "GetOrderReferenceDetails" and records[0].object_id == oid


def test_asynchronous_authorization_settles(client: PaymentsClient, sim: Any) -> None:
    oid = confirmed(client, sim)
    auth = client.authorize(oid, authorization_reference_id="async1", amount=jpy(13800))
    assert auth.status.state == "Pending"
    sim.advance(timedelta(minutes=2))
    assert client.get_authorization_details(auth.amazon_authorization_id).status.state == "Open"


def test_capture_now(client: PaymentsClient, sim: Any) -> None:
    oid = confirmed(client, sim)
    auth = client.authorize(
        oid,
        authorization_reference_id="cn1",
        amount=jpy(13800),
        transaction_timeout=0,
        capture_now=True,
        soft_descriptor="shop",
    )
    assert auth.capture_now is True
    assert auth.status.state == "Closed" and len(auth.id_list) == 1


def test_decline_suspends(client: PaymentsClient, sim: Any) -> None:
    oid = confirmed(client, sim)
    auth = client.authorize(
        oid,
        authorization_reference_id="d1",
        amount=jpy(100),
        transaction_timeout=0,
        seller_authorization_note=SIMULATE % "InvalidPaymentMethod",
    )
    assert (auth.status.state, auth.status.reason_code) == ("Declined", "InvalidPaymentMethod")
    assert client.get_order_reference_details(oid).status.state == "Suspended"


def test_set_order_attributes_cancel_and_close_authorization(
    client: PaymentsClient, sim: Any
) -> None:
    oid = sim.create_order_reference()
    details = client.set_order_attributes(
        oid,
        order_total=jpy(5000),
        seller_note="note",
        seller_order_id="S-1",
        store_name="store",
        custom_information="ci",
        order_item_categories=("Books", "Toys"),
        request_payment_authorization=False,
    )
    assert details.order_total == jpy(5000) and details.seller_note == "note"
    client.confirm_order_reference(oid, expect_immediate_authorization=False)
    auth = client.authorize(
        oid, authorization_reference_id="x1", amount=jpy(5000), transaction_timeout=0
    )
    client.close_authorization(auth.amazon_authorization_id, reason="no stock")
    assert client.get_authorization_details(auth.amazon_authorization_id).status.state == "Closed"
    client.cancel_order_reference(oid, reason="buyer asked")
    canceled = client.get_order_reference_details(oid)
    assert (canceled.status.state, canceled.status.reason_code) == ("Canceled", "SellerCanceled")


def test_service_status(client: PaymentsClient) -> None:
    status = client.get_service_status()
    assert status.status == "GREEN" and status.request_id and status.timestamp is not None


# -- errors provoked for real -------------------------------------------------------------------


def test_unknown_ids_are_not_found(client: PaymentsClient) -> None:
    with pytest.raises(errors.NotFound) as info:
        client.get_order_reference_details("S03-0000000-0000000")
    assert (info.value.status, info.value.code) == (404, "InvalidOrderReferenceId")
    assert info.value.request_id and info.value.operation == "GetOrderReferenceDetails"
    with pytest.raises(errors.NotFound):
        client.get_authorization_details("S03-0000000-0000000-A000000")


def test_modifying_an_open_order_is_invalid_state(client: PaymentsClient, sim: Any) -> None:
    oid = confirmed(client, sim)
    with pytest.raises(errors.InvalidState) as info:
        client.set_order_reference_details(oid, order_total=jpy(1))
    assert (info.value.status, info.value.code) == (405, "OrderReferenceNotModifiable")


def test_constraints_exist(client: PaymentsClient, sim: Any, records: list[Any]) -> None:
    oid = sim.create_order_reference()
    with pytest.raises(errors.InvalidState) as info:
        client.confirm_order_reference(oid)
    assert info.value.code == "ConstraintsExist"
    assert records[-1].outcome == "error" and records[-1].error_code == "ConstraintsExist"


def test_amount_exceeded(client: PaymentsClient, sim: Any) -> None:
    oid = confirmed(client, sim, total=1000)
    with pytest.raises(errors.AmountExceeded) as info:
        client.authorize(oid, authorization_reference_id="big", amount=jpy(100000))
    assert info.value.code == "TransactionAmountExceeded"


def test_wrong_secret_is_an_authentication_error(sim: Any, records: list[Any]) -> None:
    config = make_config(secret_key="not-the-right-key")
    client = PaymentsClient(config, on_call=records.append, sleep=lambda s: None)
    sim.mount(client.session, config.base_url + "/")
    with pytest.raises(errors.AuthenticationError) as info:
        client.get_service_status()
    assert (info.value.status, info.value.code) == (403, "SignatureDoesNotMatch")
    assert records[-1].attempts == 1  # never retried


def test_throttling_for_real(sim: Any) -> None:
    sim.throttle.enabled = True
    config = make_config()
    client = PaymentsClient(config, sleep=lambda s: None).with_options(retries=0)
    sim.mount(client.session, config.base_url + "/")
    oid = sim.create_order_reference()
    for _ in range(5):  # spec 2.1 sandbox quota for reads
        client.get_order_reference_details(oid)
    with pytest.raises(errors.Throttled) as info:
        client.get_order_reference_details(oid)
    assert (info.value.status, info.value.code) == (503, "RequestThrottled")


def test_throttled_then_retried_after_backoff(sim: Any) -> None:
    sim.throttle.enabled = True
    config = make_config()
    slept: list[float] = []

    def sleep(seconds: float) -> None:  # time passes for the simulator too
        slept.append(seconds)
        sim.advance(seconds)

    client = PaymentsClient(config, sleep=sleep, rand=lambda: 1.0)
    sim.mount(client.session, config.base_url + "/")
    oid = sim.create_order_reference()
    for _ in range(6):
        client.get_order_reference_details(oid)
    assert slept == [1.0]


# -- validation: refused before any request --------------------------------------------------


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "fragment"),
    [
        ("get_order_reference_details", ("S03-123",), {}, "AmazonOrderReferenceId"),
        ("get_order_reference_details", (None,), {}, "AmazonOrderReferenceId"),
        (
            "set_order_reference_details",
            ("S03-1571525-4435073",),
            {"order_total": None},
            "OrderTotal",
        ),
        (
            "set_order_reference_details",
            ("S03-1571525-4435073",),
            {"order_total": Amount(Decimal("10"), "USD")},
            "JPY",
        ),
        (
            "set_order_reference_details",
            ("S03-1571525-4435073",),
            {"order_total": Amount(Decimal("10.5"), "JPY")},
            "decimal",
        ),
        (
            "set_order_reference_details",
            ("S03-1571525-4435073",),
            {"order_total": Amount(Decimal("0"), "JPY")},
            "positive",
        ),
        ("set_order_reference_details", ("S03-1571525-4435073",), {"order_total": 100}, "Amount"),
        (
            "set_order_reference_details",
            ("S03-1571525-4435073",),
            {"order_total": jpy(1), "seller_note": "x" * 1025},
            "1024",
        ),
        ("set_order_attributes", ("S03-1571525-4435073",), {"order_total": jpy(-1)}, "positive"),
        (
            "set_order_attributes",
            ("S03-1571525-4435073",),
            {"request_payment_authorization": "yes"},
            "bool",
        ),
        ("cancel_order_reference", ("S03-1571525-4435073",), {"reason": "x" * 1025}, "1024"),
        ("close_order_reference", ("S03-1571525-4435073",), {"reason": "x" * 1025}, "1024"),
        ("confirm_order_reference", ("P03-1571525-44350",), {}, "AmazonOrderReferenceId"),
        (
            "authorize",
            ("S03-1571525-4435073",),
            {"authorization_reference_id": "x" * 33, "amount": jpy(1)},
            "32",
        ),
        (
            "authorize",
            ("S03-1571525-4435073",),
            {"authorization_reference_id": "a b", "amount": jpy(1)},
            "a-z",
        ),
        (
            "authorize",
            ("S03-1571525-4435073",),
            {"authorization_reference_id": "a", "amount": jpy(10_000_001)},
            "maximum",
        ),
        (
            "authorize",
            ("S03-1571525-4435073",),
            {"authorization_reference_id": "a", "amount": jpy(1), "transaction_timeout": 7},
            "TransactionTimeout",
        ),
        (
            "authorize",
            ("S03-1571525-4435073",),
            {"authorization_reference_id": "a", "amount": jpy(1), "transaction_timeout": 1445},
            "TransactionTimeout",
        ),
        (
            "authorize",
            ("S03-1571525-4435073",),
            {
                "authorization_reference_id": "a",
                "amount": jpy(1),
                "seller_authorization_note": "x" * 256,
            },
            "255",
        ),
        (
            "authorize",
            ("S03-1571525-4435073",),
            {"authorization_reference_id": "a", "amount": jpy(1), "soft_descriptor": "x" * 17},
            "16",
        ),
        ("get_authorization_details", ("S03-1571525-4435073-C000001",), {}, "A123456"),
        ("close_authorization", ("S03-1571525-4435073-A000001",), {"reason": "x" * 256}, "255"),
        (
            "capture",
            ("S03-1571525-4435073-A000001",),
            {"capture_reference_id": "", "amount": jpy(1)},
            "CaptureReferenceId",
        ),
        (
            "capture",
            ("S03-1571525-4435073-A000001",),
            {"capture_reference_id": "c", "amount": jpy(1), "seller_capture_note": "x" * 256},
            "255",
        ),
        ("get_capture_details", ("S03-1571525-4435073-A000001",), {}, "C123456"),
        (
            "refund",
            ("S03-1571525-4435073-C000001",),
            {"refund_reference_id": "r", "amount": Amount(Decimal("1"), "EUR")},
            "JPY",
        ),
        (
            "refund",
            ("S03-1571525-4435073-C000001",),
            {"refund_reference_id": "r", "amount": jpy(1), "seller_refund_note": "x" * 256},
            "255",
        ),
        ("get_refund_details", ("S03-1571525-4435073-R00001",), {}, "R123456"),
    ],
)
def test_validation_sends_nothing(
    fake_client: PaymentsClient,
    fake: FakeAdapter,
    method: str,
    args: tuple,
    kwargs: dict,
    fragment: str,
) -> None:
    with pytest.raises(errors.RequestValidationError, match=fragment):
        getattr(fake_client, method)(*args, **kwargs)
    assert fake.requests == []


def test_requests_carry_timeouts_user_agent_and_a_form_body(
    fake_client: PaymentsClient, fake: FakeAdapter
) -> None:
    from .conftest import fixture

    fake.add(200, fixture("Authorize", "open_sync_seed000"))
    fake_client.authorize(
        "S03-1571525-4435073",
        authorization_reference_id="A-1",
        amount=jpy(13800),
        seller_authorization_note="ご注文 #1 a+b",
    )
    request = fake.requests[0]
    assert request.method == "POST"
    assert request.url == "https://mws.amazonservices.jp/OffAmazonPayments_Sandbox/2013-01-01"
    assert request.headers["User-Agent"].startswith("django-amazonpay/")
    assert "(Python/3." in request.headers["User-Agent"]
    assert request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert fake.timeouts[0] == (5.0, 30.0)
    params = fake.params()
    assert params["SellerAuthorizationNote"] == "ご注文 #1 a+b"
    assert params["TransactionTimeout"] == "1440" and params["CaptureNow"] == "false"
    assert params["AuthorizationAmount.Amount"] == "13800"
    assert params["Timestamp"].endswith("Z")
    assert list(params)[-1] == "Signature"
