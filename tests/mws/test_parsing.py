"""XML → typed results: recorded Amazon layouts, error documents, and garbage of every kind."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from django_amazonpay.amounts import Amount
from django_amazonpay.mws import errors
from django_amazonpay.mws import parsing as p
from django_amazonpay.mws.payments import _AUTH, _CAPTURE, _ORO

from .conftest import fixture

NS = 'xmlns="http://mws.amazonservices.com/schema/OffAmazonPayments/2013-01-01"'


def parse(operation: str, body: bytes | str, build: Any = _ORO, status: int = 200) -> Any:
    return p.parse_response(operation, status, body, build)


def test_draft_order_reference_from_seed_000() -> None:
    oro, request_id = parse(
        "GetOrderReferenceDetails", fixture("GetOrderReferenceDetails", "draft_seed000")
    )
    assert request_id == "6905b8dd-2dc3-4e5d-8137-3518c2643d6a"
    assert oro.status.state == "Draft" and oro.status.last_update is None
    assert oro.id_list == ()
    assert oro.order_total is None
    assert oro.constraints[0].constraint_id == "AmountNotSet"
    assert oro.destination.state_or_region == "東京都" and oro.destination.city is None
    assert oro.buyer is None
    assert oro.request_payment_authorization is False
    assert oro.creation_timestamp == datetime(2018, 2, 17, 15, 19, 6, 399000, tzinfo=timezone.utc)


def test_closed_order_reference_one_member_is_a_tuple() -> None:
    oro, _ = parse(
        "GetOrderReferenceDetails", fixture("GetOrderReferenceDetails", "closed_seed000")
    )
    assert oro.id_list == ("S03-1571525-4435073-A061901",)
    assert oro.status == oro.status.__class__(
        "Closed", "SellerClosed", "close", datetime(2018, 2, 17, 15, 35, 27, 392000, timezone.utc)
    )
    assert oro.order_total == Amount(Decimal("13800.00"), "JPY")
    assert isinstance(oro.order_total.value, Decimal)
    assert oro.buyer.email == "gmail+sandbox@gmail.com"
    assert oro.seller_order_attributes.store_name == "ictact"


def test_many_members_and_unknown_elements_ignored() -> None:
    oro, _ = parse(
        "GetOrderReferenceDetails", fixture("GetOrderReferenceDetails", "open_two_authorizations")
    )
    assert oro.id_list == ("S03-1571525-4435073-A061901", "S03-1571525-4435073-A061902")
    assert oro.seller_note == "a private note"


def _prefixed(body: bytes) -> bytes:
    """The same document with every element name under an `ns2:` prefix."""
    text = re.sub(r"<(/?)([A-Za-z])", r"<\1ns2:\2", body.decode("utf-8"))
    return text.replace("xmlns=", "xmlns:ns2=").encode("utf-8")


@pytest.mark.parametrize("as_text", [False, True], ids=["bytes", "str"])
def test_prefixed_element_names_parse_like_the_default_namespace(as_text: bool) -> None:
    plain = fixture("GetOrderReferenceDetails", "closed_seed000")
    prefixed = _prefixed(plain)
    assert b"<ns2:AmazonOrderReferenceId>" in prefixed
    body = prefixed.decode("utf-8") if as_text else prefixed

    assert parse("GetOrderReferenceDetails", body) == parse("GetOrderReferenceDetails", plain)
    assert p.load(body) == p.load(plain)


def test_authorization_and_capture_from_seed_000() -> None:
    auth, _ = parse("Authorize", fixture("Authorize", "open_sync_seed000"), _AUTH)
    assert auth.status.state == "Open"
    assert auth.captured_amount == Amount(Decimal("0"), "JPY")
    assert auth.capture_now is False and auth.soft_decline is False
    assert auth.seller_authorization_note is None
    assert auth.amazon_order_reference_id == "S03-1571525-4435073"
    body = fixture("GetAuthorizationDetails", "closed_captured_seed000")
    closed, _ = parse("GetAuthorizationDetails", body, _AUTH)
    assert closed.id_list == ("S03-1571525-4435073-C061901",)
    assert closed.status.reason_code == "MaxCapturesProcessed"
    cap, _ = parse("Capture", fixture("Capture", "completed_seed000"), _CAPTURE)
    assert cap.soft_descriptor == "AMZ*旅食"
    assert cap.refunded_amount.value == 0


@pytest.mark.parametrize(
    "body",
    [
        fixture("ConfirmOrderReference", "empty_result_seed000"),
        f"<ConfirmOrderReferenceResponse {NS}>"
        "<ConfirmOrderReferenceResult></ConfirmOrderReferenceResult>"
        "<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>"
        "</ConfirmOrderReferenceResponse>",
    ],
)
def test_empty_result(body: bytes | str) -> None:
    _, request_id = parse("ConfirmOrderReference", body, p.acknowledgement)
    assert request_id


def test_error_response_classified() -> None:
    body = fixture("ErrorResponse", "order_reference_not_modifiable")
    with pytest.raises(errors.InvalidState) as info:
        parse("SetOrderReferenceDetails", body, status=405)
    exc = info.value
    assert (exc.code, exc.type, exc.status, exc.operation) == (
        "OrderReferenceNotModifiable",
        "Sender",
        405,
        "SetOrderReferenceDetails",
    )
    assert exc.request_id == "6d4699b8-1238-4c09-b539-176e2c2f5462"
    assert "not in draft state" in exc.message


def test_throttled_variant_with_request_id_caps_and_empty_type() -> None:
    with pytest.raises(errors.Throttled) as info:
        parse("Authorize", fixture("ErrorResponse", "throttled_request_id_caps"), status=503)
    assert info.value.request_id == "b9a5d6a2-3f3c-4b1e-9a40-6f4f6b4f0c11"
    assert info.value.type is None
    assert info.value.retryable


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        ("RequestThrottled", 503, errors.Throttled),
        ("ServiceUnavailable", 503, errors.ServerError),
        ("InternalServerError", 500, errors.ServerError),
        ("SomethingNew", 502, errors.ServerError),
        ("ConstraintsExist", 400, errors.InvalidState),
        ("InvalidOrderReferenceId", 404, errors.NotFound),
        ("TransactionAmountExceeded", 400, errors.AmountExceeded),
        ("InvalidParameterValue", 400, errors.InvalidParameter),
        ("SignatureDoesNotMatch", 403, errors.AuthenticationError),
        ("DuplicateReferenceId", 400, errors.DuplicateReference),
        ("DuplicateRequest", 400, errors.DuplicateReference),
        ("SomethingNew", 400, errors.MwsError),
    ],
)
def test_every_error_class(code: str, status: int, cls: type) -> None:
    body = (
        f"<ErrorResponse {NS}><Error><Type>Sender</Type><Code>{code}</Code><Message>m</Message>"
        "</Error><RequestId>rid</RequestId></ErrorResponse>"
    )
    with pytest.raises(cls) as info:
        parse("Authorize", body, status=status)
    assert type(info.value) is cls
    assert info.value.code == code and info.value.request_id == "rid"


GOOD = fixture("GetOrderReferenceDetails", "closed_seed000").decode()
GARBAGE = [
    b"",
    b"   \n",
    b"<html><body><h1>502 Bad Gateway</h1></body></html>",
    b"<!DOCTYPE html><html><head><title>Service Unavailable</title></head></html>",
    GOOD[: len(GOOD) // 2].encode(),
    GOOD.replace("GetOrderReferenceDetailsResponse", "SomethingElseResponse").encode(),
    GOOD.replace("GetOrderReferenceDetailsResult", "OtherResult").encode(),
    GOOD.replace(
        "<AmazonOrderReferenceId>S03-1571525-4435073</AmazonOrderReferenceId>", ""
    ).encode(),
    GOOD.replace("<State>Closed</State>", "").encode(),
    GOOD.replace("13800.00", "lots").encode(),
    GOOD.replace("<CurrencyCode>JPY</CurrencyCode>", "<CurrencyCode>XXX</CurrencyCode>").encode(),
    GOOD.replace("2018-08-16T15:19:06.399Z", "yesterday").encode(),
    GOOD.replace(
        "<RequestPaymentAuthorization>false", "<RequestPaymentAuthorization>maybe"
    ).encode(),
    GOOD.replace(
        "<OrderReferenceDetails>",
        "<OrderReferenceDetails><AmazonOrderReferenceId>x</AmazonOrderReferenceId>",
    ).encode(),  # repeated element
    GOOD.replace(
        "<member>S03-1571525-4435073-A061901</member>", "<member><x>1</x></member>"
    ).encode(),
    GOOD.replace("<OrderReferenceStatus>", "<OrderReferenceStatus><State>Open</State>").encode(),
    f"<GetOrderReferenceDetailsResponse {NS}><GetOrderReferenceDetailsResult>"
    "</GetOrderReferenceDetailsResult></GetOrderReferenceDetailsResponse>".encode(),
    f"<GetOrderReferenceDetailsResponse {NS}/>".encode(),
    f"<ErrorResponse {NS}><RequestId>x</RequestId></ErrorResponse>".encode(),
    f"<ErrorResponse {NS}><Error>just text</Error></ErrorResponse>".encode(),
    b"<a/><b/>",
    b"\xff\xfe\x00<",
    b'{"json": "instead"}',
    b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>",
    b"Internal Server Error",
]


@pytest.mark.parametrize("body", GARBAGE)
@pytest.mark.parametrize("status", [200, 400])
def test_garbage_is_malformed_response_never_keyerror(body: bytes, status: int) -> None:
    with pytest.raises(errors.MalformedResponse) as info:
        parse("GetOrderReferenceDetails", body, status=status)
    assert info.value.status == status
    assert info.value.operation == "GetOrderReferenceDetails"
    assert len(info.value.body) <= 500


@pytest.mark.parametrize("body", [*GARBAGE, GOOD])
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_without_an_error_response_is_a_server_error(body: bytes, status: int) -> None:
    """A load balancer's HTML 503 or an empty 502: the service failed, retried like one."""
    with pytest.raises(errors.ServerError) as info:
        parse("GetOrderReferenceDetails", body, status=status)
    assert info.value.status == status and info.value.code is None
    assert info.value.operation == "GetOrderReferenceDetails"
    assert info.value.retryable


def test_non_200_with_a_success_document_is_malformed() -> None:
    with pytest.raises(errors.MalformedResponse):
        parse("GetOrderReferenceDetails", GOOD, status=400)


def test_order_items_from_seed_002() -> None:
    (items, token), request_id = p.parse_response(
        "ListOrderItems",
        200,
        fixture("ListOrderItems", "two_items_next_token_seed002"),
        p.order_items_page,
    )
    assert token == "MRgZW55IGNhcm5hbCBwbGVhc3VyZS6="
    assert request_id == "88faca76-b600-46d2-b53c-0c8c4533e43a"
    first, second = items
    assert first.item_price == Amount(Decimal("25.99"), "JPY")
    assert first.points_granted == 10 and first.quantity_shipped == 1 and first.is_gift is False
    assert first.cod_fee_discount == Amount(Decimal("1.00"), "JPY")
    assert second.promotion_ids == ("FREESHIP",)
    assert second.shipping_price is None and second.item_tax is None
    assert second.condition_subtype_id == "Mint"
