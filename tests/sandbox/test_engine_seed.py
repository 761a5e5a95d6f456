# ruff: noqa: E501  (the seed documents are kept one per line, verbatim)
"""Seed 000 (a real JP sandbox checkout) replayed through PaymentsEngine.handle(), key by key.

The expected documents are the seed's responses as the Python SDK's xmltodict-based to_dict()
printed them; ids, timestamps and request ids are the only values not compared.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import xmltodict

from django_amazonpay.regions import get_region
from django_amazonpay.sandbox.clock import Clock
from django_amazonpay.sandbox.engine import EngineSettings, PaymentsEngine

#: /work/shared/seeds/000_*.txt, the twelve responses in order
SEED_RESPONSES = json.loads(
    r"""
[
{"GetOrderReferenceDetailsResponse": {"GetOrderReferenceDetailsResult": {"OrderReferenceDetails": {"OrderReferenceStatus": {"State": "Draft"}, "Destination": {"DestinationType": "Physical", "PhysicalDestination": {"StateOrRegion": "東京都", "CountryCode": "JP", "PostalCode": "1500001"}}, "ExpirationTimestamp": "2018-08-16T15:19:06.399Z", "IdList": null, "Constraints": {"Constraint": {"ConstraintID": "AmountNotSet", "Description": "The seller has not set the amount for the Order Reference."}}, "SellerOrderAttributes": null, "ReleaseEnvironment": "Sandbox", "AmazonOrderReferenceId": "S03-1571525-4435073", "CreationTimestamp": "2018-02-17T15:19:06.399Z", "RequestPaymentAuthorization": "false"}}, "ResponseMetadata": {"RequestId": "6905b8dd-2dc3-4e5d-8137-3518c2643d6a"}}},
{"SetOrderReferenceDetailsResponse": {"SetOrderReferenceDetailsResult": {"OrderReferenceDetails": {"OrderReferenceStatus": {"State": "Draft"}, "Destination": {"DestinationType": "Physical", "PhysicalDestination": {"StateOrRegion": "東京都", "CountryCode": "JP", "PostalCode": "1500001"}}, "ExpirationTimestamp": "2018-08-16T15:19:06.399Z", "SellerOrderAttributes": {"StoreName": "ictact", "SellerOrderId": "180206-140000-0000"}, "OrderTotal": {"CurrencyCode": "JPY", "Amount": "13800.00"}, "ReleaseEnvironment": "Sandbox", "AmazonOrderReferenceId": "S03-1571525-4435073", "CreationTimestamp": "2018-02-17T15:19:06.399Z", "RequestPaymentAuthorization": "false"}}, "ResponseMetadata": {"RequestId": "68af00cf-c180-48d7-b4c2-3871f510ba85"}}},
{"GetOrderReferenceDetailsResponse": {"GetOrderReferenceDetailsResult": {"OrderReferenceDetails": {"OrderReferenceStatus": {"State": "Draft"}, "Destination": {"DestinationType": "Physical", "PhysicalDestination": {"StateOrRegion": "東京都", "CountryCode": "JP", "PostalCode": "1500001"}}, "ExpirationTimestamp": "2018-08-16T15:19:06.399Z", "IdList": null, "SellerOrderAttributes": {"StoreName": "ictact", "SellerOrderId": "180206-140000-0000"}, "OrderTotal": {"CurrencyCode": "JPY", "Amount": "13800.00"}, "ReleaseEnvironment": "Sandbox", "AmazonOrderReferenceId": "S03-1571525-4435073", "CreationTimestamp": "2018-02-17T15:19:06.399Z", "RequestPaymentAuthorization": "false"}}, "ResponseMetadata": {"RequestId": "076ecde9-4959-4bdb-945f-eb7cefac0a22"}}},
{"ConfirmOrderReferenceResponse": {"ConfirmOrderReferenceResult": null, "ResponseMetadata": {"RequestId": "6a0de7bc-1b06-43bb-b232-c1617ba8693e"}}},
{"GetOrderReferenceDetailsResponse": {"GetOrderReferenceDetailsResult": {"OrderReferenceDetails": {"OrderReferenceStatus": {"LastUpdateTimestamp": "2018-02-17T15:19:15.599Z", "State": "Open"}, "Destination": {"DestinationType": "Physical", "PhysicalDestination": {"StateOrRegion": "東京都", "Phone": "03-3333-4444", "CountryCode": "JP", "PostalCode": "1500001", "Name": "吉田一郎", "AddressLine1": "渋谷区神宮前2-2-2"}}, "ExpirationTimestamp": "2018-08-16T15:19:06.399Z", "IdList": null, "SellerOrderAttributes": {"StoreName": "ictact", "SellerOrderId": "180206-140000-0000"}, "OrderTotal": {"CurrencyCode": "JPY", "Amount": "13800.00"}, "Buyer": {"Name": "吉田一郎", "Email": "gmail+sandbox@gmail.com"}, "ReleaseEnvironment": "Sandbox", "AmazonOrderReferenceId": "S03-1571525-4435073", "CreationTimestamp": "2018-02-17T15:19:06.399Z", "RequestPaymentAuthorization": "false"}}, "ResponseMetadata": {"RequestId": "d015df48-4dd9-4c09-8517-9b906a021f11"}}},
{"AuthorizeResponse": {"AuthorizeResult": {"AuthorizationDetails": {"AuthorizationAmount": {"CurrencyCode": "JPY", "Amount": "13800.00"}, "CapturedAmount": {"CurrencyCode": "JPY", "Amount": "0"}, "ExpirationTimestamp": "2018-03-19T15:19:18.544Z", "IdList": null, "SoftDecline": "false", "AuthorizationStatus": {"LastUpdateTimestamp": "2018-02-17T15:19:18.544Z", "State": "Open"}, "AuthorizationFee": {"CurrencyCode": "JPY", "Amount": "0.00"}, "CaptureNow": "false", "SellerAuthorizationNote": null, "CreationTimestamp": "2018-02-17T15:19:18.544Z", "AmazonAuthorizationId": "S03-1571525-4435073-A061901", "AuthorizationReferenceId": "A-1-180206-140000-0000-a333d"}}, "ResponseMetadata": {"RequestId": "53cf7525-2f10-4b4c-a7c1-20e19744e3ce"}}},
{"GetAuthorizationDetailsResponse": {"GetAuthorizationDetailsResult": {"AuthorizationDetails": {"AuthorizationAmount": {"CurrencyCode": "JPY", "Amount": "13800.00"}, "CapturedAmount": {"CurrencyCode": "JPY", "Amount": "0"}, "ExpirationTimestamp": "2018-03-19T15:19:18.544Z", "IdList": null, "SoftDecline": "false", "AuthorizationStatus": {"LastUpdateTimestamp": "2018-02-17T15:19:18.544Z", "State": "Open"}, "AuthorizationFee": {"CurrencyCode": "JPY", "Amount": "0.00"}, "CaptureNow": "false", "SellerAuthorizationNote": null, "CreationTimestamp": "2018-02-17T15:19:18.544Z", "AmazonAuthorizationId": "S03-1571525-4435073-A061901", "AuthorizationReferenceId": "A-1-180206-140000-0000-a333d"}}, "ResponseMetadata": {"RequestId": "26d482f3-5c97-470d-86d5-fe3dde8c83f1"}}},
{"CaptureResponse": {"CaptureResult": {"CaptureDetails": {"CaptureReferenceId": "C-26-180206-140000-0000-1b264", "CaptureFee": {"CurrencyCode": "JPY", "Amount": "0.00"}, "SoftDescriptor": "AMZ*旅食", "IdList": null, "CaptureAmount": {"CurrencyCode": "JPY", "Amount": "13800.00"}, "AmazonCaptureId": "S03-1571525-4435073-C061901", "CreationTimestamp": "2018-02-17T15:30:41.081Z", "CaptureStatus": {"LastUpdateTimestamp": "2018-02-17T15:30:41.081Z", "State": "Completed"}, "SellerCaptureNote": null, "RefundedAmount": {"CurrencyCode": "JPY", "Amount": "0"}}}, "ResponseMetadata": {"RequestId": "303a71a2-590c-4ead-8959-14aa8e9a57b3"}}},
{"GetAuthorizationDetailsResponse": {"GetAuthorizationDetailsResult": {"AuthorizationDetails": {"AuthorizationAmount": {"CurrencyCode": "JPY", "Amount": "13800.00"}, "CapturedAmount": {"CurrencyCode": "JPY", "Amount": "13800.00"}, "ExpirationTimestamp": "2018-03-19T15:19:18.544Z", "IdList": {"member": "S03-1571525-4435073-C061901"}, "SoftDecline": "false", "AuthorizationStatus": {"LastUpdateTimestamp": "2018-02-17T15:30:42.541Z", "ReasonCode": "MaxCapturesProcessed", "State": "Closed"}, "AuthorizationFee": {"CurrencyCode": "JPY", "Amount": "0.00"}, "CaptureNow": "false", "SellerAuthorizationNote": null, "CreationTimestamp": "2018-02-17T15:19:18.544Z", "AmazonAuthorizationId": "S03-1571525-4435073-A061901", "AuthorizationReferenceId": "A-1-180206-140000-0000-a333d"}}, "ResponseMetadata": {"RequestId": "61970dc8-1234-4c2e-96bb-78ea8e800818"}}},
{"GetOrderReferenceDetailsResponse": {"GetOrderReferenceDetailsResult": {"OrderReferenceDetails": {"OrderReferenceStatus": {"LastUpdateTimestamp": "2018-02-17T15:19:15.599Z", "State": "Open"}, "Destination": {"DestinationType": "Physical", "PhysicalDestination": {"StateOrRegion": "東京都", "Phone": "03-3333-4444", "CountryCode": "JP", "PostalCode": "1500001", "Name": "吉田一郎", "AddressLine1": "渋谷区神宮前2-2-2"}}, "ExpirationTimestamp": "2018-08-16T15:19:06.399Z", "IdList": {"member": "S03-1571525-4435073-A061901"}, "SellerOrderAttributes": {"StoreName": "ictact", "SellerOrderId": "180206-140000-0000"}, "OrderTotal": {"CurrencyCode": "JPY", "Amount": "13800.00"}, "Buyer": {"Name": "吉田一郎", "Email": "gmail+sandbox@gmail.com"}, "ReleaseEnvironment": "Sandbox", "AmazonOrderReferenceId": "S03-1571525-4435073", "CreationTimestamp": "2018-02-17T15:19:06.399Z", "RequestPaymentAuthorization": "false"}}, "ResponseMetadata": {"RequestId": "8b208219-d2ae-4bb0-8688-494c437b9e2d"}}},
{"CloseOrderReferenceResponse": {"CloseOrderReferenceResult": null, "ResponseMetadata": {"RequestId": "2d6ab9e6-c7af-4036-a1ed-040703fc04e6"}}},
{"GetOrderReferenceDetailsResponse": {"GetOrderReferenceDetailsResult": {"OrderReferenceDetails": {"OrderReferenceStatus": {"ReasonDescription": "close", "LastUpdateTimestamp": "2018-02-17T15:35:27.392Z", "ReasonCode": "SellerClosed", "State": "Closed"}, "Destination": {"DestinationType": "Physical", "PhysicalDestination": {"StateOrRegion": "東京都", "Phone": "03-3333-4444", "CountryCode": "JP", "PostalCode": "1500001", "Name": "吉田一郎", "AddressLine1": "渋谷区神宮前2-2-2"}}, "ExpirationTimestamp": "2018-08-16T15:19:06.399Z", "IdList": {"member": "S03-1571525-4435073-A061901"}, "SellerOrderAttributes": {"StoreName": "ictact", "SellerOrderId": "180206-140000-0000"}, "OrderTotal": {"CurrencyCode": "JPY", "Amount": "13800.00"}, "Buyer": {"Name": "吉田一郎", "Email": "gmail+sandbox@gmail.com"}, "ReleaseEnvironment": "Sandbox", "AmazonOrderReferenceId": "S03-1571525-4435073", "CreationTimestamp": "2018-02-17T15:19:06.399Z", "RequestPaymentAuthorization": "false"}}, "ResponseMetadata": {"RequestId": "0a15ade8-415e-48e2-8a2d-573e8b4b921c"}}}
]
"""
)

IGNORED = {"AmazonOrderReferenceId", "AmazonAuthorizationId", "AmazonCaptureId", "RequestId"}


def _strip(value: object, seen: dict[str, str], path: str = "") -> object:
    """Drop ignored keys and timestamps; ids inside IdList become placeholders."""
    if isinstance(value, dict):
        return {
            k: _strip(v, seen, f"{path}/{k}")
            for k, v in value.items()
            if k not in IGNORED and not k.endswith("Timestamp") and not k.startswith("@")
        }
    if isinstance(value, str) and path.endswith("IdList/member"):
        return "<id>"
    return value


def _prefix(expected: dict) -> str:
    return next(iter(expected))


def test_seed_000_jp_checkout_key_by_key() -> None:
    clock = Clock(datetime(2018, 2, 17, 15, 19, 6, 399000, tzinfo=timezone.utc))
    engine = PaymentsEngine(
        seller_id="A9FVERUG2LKDK",
        region=get_region("jp"),
        clock=clock,
        settings=EngineSettings(soft_descriptor="旅食"),
    )
    oro = engine.create_order_reference()
    set_params = {
        "AmazonOrderReferenceId": oro,
        "OrderReferenceAttributes.OrderTotal.Amount": "13800",
        "OrderReferenceAttributes.OrderTotal.CurrencyCode": "JPY",
        "OrderReferenceAttributes.SellerOrderAttributes.SellerOrderId": "180206-140000-0000",
        "OrderReferenceAttributes.SellerOrderAttributes.StoreName": "ictact",
    }
    get = ("GetOrderReferenceDetails", {"AmazonOrderReferenceId": oro})
    auth_ref = "A-1-180206-140000-0000-a333d"
    steps: list = [
        get,
        ("SetOrderReferenceDetails", set_params),
        get,
        ("ConfirmOrderReference", {"AmazonOrderReferenceId": oro}),
        get,
        (
            "Authorize",
            {
                "AmazonOrderReferenceId": oro,
                "AuthorizationReferenceId": auth_ref,
                "AuthorizationAmount.Amount": "13800.00",
                "AuthorizationAmount.CurrencyCode": "JPY",
                "TransactionTimeout": "0",
                "CaptureNow": "false",
            },
        ),
        ("GetAuthorizationDetails", None),
        ("Capture", None),
        ("GetAuthorizationDetails", None),
        get,
        ("CloseOrderReference", {"AmazonOrderReferenceId": oro, "ClosureReason": "close"}),
        get,
    ]
    auth_id = cap_id = None
    for (action, params), expected in zip(steps, SEED_RESPONSES, strict=True):
        if action == "GetAuthorizationDetails":
            params = {"AmazonAuthorizationId": auth_id}
        elif action == "Capture":
            params = {
                "AmazonAuthorizationId": auth_id,
                "CaptureReferenceId": "C-26-180206-140000-0000-1b264",
                "CaptureAmount.Amount": "13800.00",
                "CaptureAmount.CurrencyCode": "JPY",
            }
        clock.advance(timedelta(seconds=1))
        text = engine.handle(action, params, environment="Sandbox", request_id="req")
        got = xmltodict.parse(text)
        assert _prefix(expected) == f"{action}Response"
        assert _strip(got, {}) == _strip(expected, {}), action
        result = got[f"{action}Response"][f"{action}Result"]
        if action == "Authorize":
            auth_id = result["AuthorizationDetails"]["AmazonAuthorizationId"]
            assert auth_id.startswith(oro + "-A")
        if action == "Capture":
            cap_id = result["CaptureDetails"]["AmazonCaptureId"]
            # spec 2.2: the capture id repeats the authorization's digits
            assert cap_id == oro + "-C" + auth_id[-6:]
    assert oro.startswith("S03-")


def test_seed_000_timestamps_follow_the_observed_rules() -> None:
    start = datetime(2018, 2, 17, 15, 19, 6, 399000, tzinfo=timezone.utc)
    engine = PaymentsEngine(seller_id="A1", region=get_region("jp"), clock=Clock(start))
    oro = engine.create_order_reference()
    doc = xmltodict.parse(
        engine.handle(
            "GetOrderReferenceDetails",
            {"AmazonOrderReferenceId": oro},
            environment="Sandbox",
            request_id="r",
        )
    )
    details = doc["GetOrderReferenceDetailsResponse"]["GetOrderReferenceDetailsResult"][
        "OrderReferenceDetails"
    ]
    # seed 000: creation 2018-02-17T15:19:06.399Z, expiration + 180 days, no LastUpdate in Draft
    assert details["CreationTimestamp"] == "2018-02-17T15:19:06.399Z"
    assert details["ExpirationTimestamp"] == "2018-08-16T15:19:06.399Z"
    assert "LastUpdateTimestamp" not in details["OrderReferenceStatus"]
