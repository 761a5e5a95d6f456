"""NotificationData of every type in spec 6.4 (the simulator's, and handwritten ones)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from django_amazonpay.ipn.parsing import (
    BillingAgreementDetails,
    ChargebackDetails,
    normalize_type,
    parse_details,
    parse_message,
)
from django_amazonpay.ipn.sns import Rejected
from django_amazonpay.mws.types import AuthorizationDetails, OrderReferenceDetails

NS = "https://mws.amazonservices.com/ipn/OffAmazonPayments/2013-01-01"


def _doc(root: str, inner: str) -> str:
    # spec 6.5: the declaration is directly followed by the root, no newline
    return f'<?xml version="1.0" encoding="UTF-8"?><{root} xmlns="{NS}">{inner}</{root}>'


AUTH = _doc(
    "AuthorizationNotification",
    "<AuthorizationDetails><AmazonAuthorizationId>S03-1111111-1111111-A000001"
    "</AmazonAuthorizationId><AuthorizationReferenceId>ref1</AuthorizationReferenceId>"
    "<AuthorizationAmount><Amount>5.0</Amount><CurrencyCode>USD</CurrencyCode>"
    "</AuthorizationAmount><CapturedAmount><Amount>0.0</Amount><CurrencyCode>USD"
    "</CurrencyCode></CapturedAmount><AuthorizationFee><Amount>0.0</Amount>"
    "<CurrencyCode>USD</CurrencyCode></AuthorizationFee><IdList><Id>S03-1111111-1111111-C000001"
    "</Id><Id>S03-1111111-1111111-C000002</Id></IdList>"
    "<CreationTimestamp>2015-11-21T03:55:19.000Z</CreationTimestamp>"
    "<ExpirationTimestamp>2015-12-21T03:55:19.000Z</ExpirationTimestamp>"
    "<AuthorizationStatus><State>Open</State><LastUpdateTimestamp>2015-11-21T03:55:49.000Z"
    "</LastUpdateTimestamp></AuthorizationStatus><CaptureNow>false</CaptureNow>"
    "</AuthorizationDetails>",
)
ORO = _doc(
    "OrderReferenceNotification",
    "<OrderReference><AmazonOrderReferenceId>S03-1111111-1111111</AmazonOrderReferenceId>"
    "<OrderTotal><Amount>6500.0</Amount><CurrencyCode>JPY</CurrencyCode></OrderTotal>"
    "<SellerOrderAttributes><SellerId>A1TESTSELLER00</SellerId><SellerOrderId>1</SellerOrderId>"
    "</SellerOrderAttributes><OrderReferenceStatus><State>Closed</State>"
    "<LastUpdateTimestamp>2015-11-21T03:55:19.000Z</LastUpdateTimestamp>"
    "<ReasonCode>MaxAuthorizationsProcessed</ReasonCode></OrderReferenceStatus>"
    "<CreationTimestamp>2015-11-21T03:00:00.000Z</CreationTimestamp></OrderReference>",
)
CHARGEBACK = _doc(
    "ChargebackNotification",
    "<ChargebackDetails><AmazonChargebackId>S03-CB-1</AmazonChargebackId>"
    "<AmazonOrderReferenceId>S03-1111111-1111111</AmazonOrderReferenceId>"
    "<AmazonCaptureReferenceId>cap-ref</AmazonCaptureReferenceId>"
    "<CreationTimestamp>2015-11-21T03:55:19Z</CreationTimestamp>"
    "<ChargebackAmount><Amount>5.0</Amount><CurrencyCode>USD</CurrencyCode></ChargebackAmount>"
    "<ChargebackState>RECEIVED</ChargebackState>"
    "<ChargebackReason>Generic Service Chargeback</ChargebackReason></ChargebackDetails>",
)
BILLING = _doc(
    "BillingAgreementNotification",
    "<BillingAgreement><AmazonBillingAgreementId>C01-1</AmazonBillingAgreementId>"
    "<BillingAgreementStatus><State>Open</State></BillingAgreementStatus></BillingAgreement>",
)


def _message(kind: str, data: str, **extra: Any) -> str:
    return json.dumps(
        {"NotificationType": kind, "SellerId": "S", "ReleaseEnvironment": "Sandbox",
         "NotificationData": data, **extra}
    )  # fmt: skip


def test_authorization_with_id_list() -> None:
    d = parse_details("PaymentAuthorize", AUTH)
    assert isinstance(d, AuthorizationDetails)
    assert d.status.state == "Open"
    assert d.authorization_amount.value == Decimal("5.0")
    assert d.id_list == ("S03-1111111-1111111-C000001", "S03-1111111-1111111-C000002")


def test_order_reference_with_undocumented_reason() -> None:
    d = parse_details("OrderReferenceNotification", ORO)
    assert isinstance(d, OrderReferenceDetails)
    assert (d.status.state, d.status.reason_code) == ("Closed", "MaxAuthorizationsProcessed")


def test_chargeback_with_spaces_in_type() -> None:
    n = parse_message(_message("Chargeback Detailed Notification", CHARGEBACK))
    assert n.notification_type == "ChargebackDetailedNotification"
    assert isinstance(n.details, ChargebackDetails)
    assert n.details.amount == Decimal("5.0") and n.details.state == "RECEIVED"
    assert n.object_id == "S03-CB-1"


def test_billing_agreement_with_event_type() -> None:
    n = parse_message(_message("BillingAgreementNotification", BILLING, EventType="Opened"))
    assert isinstance(n.details, BillingAgreementDetails)
    assert n.details.event_type == "Opened"


@pytest.mark.parametrize("kind", ["ProviderCredit", "SolutionProviderEvent", "Brand New"])
def test_unmodelled_types_parse_without_details(kind: str) -> None:
    n = parse_message(_message(kind, "<X/>"))
    assert n.details is None and n.notification_type == normalize_type(kind)


@pytest.mark.parametrize(
    "data",
    ["", "<not xml", _doc("CaptureNotification", "<Nope/>"), _doc("Other", "")],
)
def test_malformed_data_is_rejected(data: str) -> None:
    with pytest.raises(Rejected):
        parse_message(_message("PaymentCapture", data))


@pytest.mark.parametrize("message", ["nope", "[]", json.dumps({"NotificationType": "X"})])
def test_malformed_message_is_rejected(message: str) -> None:
    with pytest.raises(Rejected):
        parse_message(message)


@pytest.mark.django_db
def test_every_simulator_payment_notification_parses(sim: Any) -> None:
    from django_amazonpay import services
    from tests.ipn.helpers import open_order

    oro = open_order(sim)
    auth = services.authorize(oro, synchronous=False).authorization
    sim.advance(31)
    services.refresh(auth)
    capture = services.capture(auth).capture
    services.refund(capture, amount=100)
    sim.advance(40)
    services.close_order(oro)
    kinds = {d.notification_type for d in sim.ipn.delivered}
    assert {"PaymentAuthorize", "PaymentRefund"} <= kinds
    for delivery in sim.ipn.delivered:
        n = parse_message(delivery.envelope["Message"])
        assert n.is_payment and n.object_id == delivery.object_id
