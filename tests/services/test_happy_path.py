"""Seed 000's checkout through the services: start, set, confirm, authorize, capture, refund,
close; every step mirrored and recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from django_amazonpay import services
from django_amazonpay.models import MwsCall, OrderItem, StateTransition

from .conftest import TOTAL, draft, with_details

pytestmark = pytest.mark.django_db


def test_checkout_to_refund_and_close(sim) -> None:
    oro = draft(sim)
    assert oro.state == "Draft"
    assert oro.release_environment == "Sandbox"
    oro = with_details(oro)
    assert oro.amount == TOTAL and oro.currency == "JPY"
    assert oro.shipping_fee == 500 and oro.discount == 1000
    assert OrderItem.objects.filter(order_reference=oro).count() == 2
    oro = services.confirm(oro)
    assert oro.state == "Open"
    assert oro.buyer_name == "吉田一郎"

    result = services.authorize(oro, synchronous=True)
    assert (result.outcome, result.next_action) == ("authorized", "none")
    auth = result.authorization
    assert auth.amazon_authorization_id.startswith(oro.amazon_order_reference_id + "-A")
    assert auth.authorization_reference_id == f"{oro.amazon_order_reference_id}-A1"
    assert auth.amount == TOTAL

    cap = services.capture(auth)
    assert cap.outcome == "completed"
    assert cap.capture.amount == TOTAL
    auth.refresh_from_db()
    assert (auth.state, auth.reason_code) == ("Closed", "MaxCapturesProcessed")

    ref = services.refund(cap.capture, amount=Decimal("1000"))
    assert ref.outcome == "pending"
    sim.advance(60)
    ref_row = services.refresh(ref.refund)
    assert ref_row.state == "Completed"

    oro = services.close_order(oro, reason="close")
    assert (oro.state, oro.reason_code, oro.reason_description) == (
        "Closed",
        "SellerClosed",
        "close",
    )
    kinds = list(
        StateTransition.objects.filter(order_reference=oro).values_list("object_kind", "to_state")
    )
    assert ("order_reference", "Open") in kinds
    assert ("authorization", "Open") in kinds
    assert ("capture", "Completed") in kinds
    assert ("refund", "Completed") in kinds
    assert MwsCall.objects.filter(operation="Authorize", outcome="ok").count() == 1
