"""Logs of a whole checkout (wire dump on) contain no secret and no personal data (STYLE 3)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

import pytest

from django_amazonpay.mws import PaymentsClient
from django_amazonpay.mws.redaction import REDACTED, redact_params, redact_tree

from .conftest import SECRET, jpy, make_config

TOKEN = "Atza|IwEBIDonotLogThisToken"
NOTE = "deliver to the back door please"
AUTH_NOTE = "private authorization note"


@pytest.mark.parametrize("log_wire", [False, True])
def test_checkout_logs_hold_no_secret_or_personal_data(
    sim: Any, caplog: pytest.LogCaptureFixture, log_wire: bool
) -> None:
    config = make_config(log_wire=log_wire)
    records: list[Any] = []
    client = PaymentsClient(config, on_call=records.append)
    adapter = sim.mount(client.session, config.base_url + "/")
    oid = sim.create_order_reference()
    with caplog.at_level(logging.DEBUG, logger="django_amazonpay.mws"):
        client.get_order_reference_details(oid, access_token=TOKEN)
        client.set_order_reference_details(oid, order_total=jpy(13800), seller_note=NOTE)
        client.confirm_order_reference(oid)
        details = client.get_order_reference_details(oid, access_token=TOKEN)
        auth = client.authorize(
            oid,
            authorization_reference_id="A1",
            amount=jpy(13800),
            transaction_timeout=0,
            seller_authorization_note=AUTH_NOTE,
        )
        capture = client.capture(
            auth.amazon_authorization_id,
            capture_reference_id="C1",
            amount=jpy(13800),
            seller_capture_note=NOTE,
        )
        client.refund(
            capture.amazon_capture_id,
            refund_reference_id="R1",
            amount=jpy(1),
            seller_refund_note=NOTE,
        )
        client.close_order_reference(oid, reason=NOTE)
    text = caplog.text + "".join(repr(r) for r in records)
    signatures = [dict(parse_qsl(r.body.decode()))["Signature"] for r in adapter.requests]
    buyer, address = details.buyer, details.destination
    assert buyer is not None and buyer.name and buyer.email
    assert address is not None and address.address_line1
    forbidden = [
        SECRET,
        TOKEN,
        NOTE,
        AUTH_NOTE,
        buyer.name,
        buyer.email,
        address.address_line1,
        *(s for s in (address.phone, address.name, address.postal_code) if s),
        *signatures,
    ]
    for value in forbidden:
        assert value not in text, value
    assert "Authorize attempt=1 status=200" in caplog.text
    assert details.request_id in caplog.text
    if log_wire:
        assert "[redacted]" in caplog.text and "AmazonOrderReferenceId" in caplog.text


def test_redaction_is_an_allow_list() -> None:
    params = {
        "Action": "Authorize",
        "Signature": "sig",
        "AccessToken": "t",
        "NewThing": "x",
        "AuthorizationAmount.Amount": "1",
    }
    assert redact_params(params) == {
        "Action": "Authorize",
        "Signature": REDACTED,
        "AccessToken": REDACTED,
        "NewThing": REDACTED,
        "AuthorizationAmount.Amount": "1",
    }
    tree = {
        "GetOrderReferenceDetailsResponse": {
            "@xmlns": "ns",
            "GetOrderReferenceDetailsResult": {
                "OrderReferenceDetails": {
                    "Buyer": {"Name": "n"},
                    "SellerNote": "s",
                    "NewField": "f",
                    "OrderReferenceStatus": {"State": "Open"},
                }
            },
        }
    }
    details = redact_tree(tree)["GetOrderReferenceDetailsResponse"][
        "GetOrderReferenceDetailsResult"
    ]["OrderReferenceDetails"]
    assert details == {
        "Buyer": REDACTED,
        "SellerNote": REDACTED,
        "NewField": REDACTED,
        "OrderReferenceStatus": {"State": "Open"},
    }
