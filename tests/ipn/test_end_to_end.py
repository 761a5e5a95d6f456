"""The simulator delivers its IPNs to the endpoint itself (ipn_sender), as SNS would."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from django_amazonpay import services
from django_amazonpay.models import Authorization, IpnMessage, OrderReference, StateTransition
from tests.ipn.helpers import IPN_URL, open_order

pytestmark = pytest.mark.django_db

SOFT_DECLINE = json.dumps(
    {"SandboxSimulation": {"State": "Declined", "ReasonCode": "InvalidPaymentMethod",
                           "PaymentMethodUpdateTimeInMins": 5, "SoftDecline": "true"}}
)  # fmt: skip


def _send(url: str, body: bytes, headers: dict[str, str]) -> int:
    client = Client(enforce_csrf_checks=True)
    extra = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    return client.post(
        IPN_URL, data=body, content_type=headers["Content-Type"], headers=extra
    ).status_code


@pytest.fixture
def amazon_pay_simulator_options() -> dict[str, Any]:
    return {"ipn_sender": _send, "ipn_inline": True}


def test_async_authorization_settled_by_its_ipn(
    sim: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        auth = services.authorize(open_order(sim), synchronous=False).authorization
        sim.advance(31)
    assert [d.status for d in sim.ipn.delivered] == [200]
    auth.refresh_from_db()
    assert auth.state == "Open"
    assert StateTransition.objects.get(authorization=auth, to_state="Open").source == "ipn"


def test_soft_decline_then_reopen_reauthorizes(
    sim: Any, django_capture_on_commit_callbacks: Any
) -> None:
    oro = open_order(sim)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.authorize(oro, synchronous=False, seller_note=SOFT_DECLINE).authorization
        sim.advance(31)  # declined, the order reference Suspended (spec 3.10)
    oro.refresh_from_db()
    first.refresh_from_db()
    assert (first.state, first.reason_code) == ("Declined", "InvalidPaymentMethod")
    assert oro.state == "Suspended" and oro.payment_method_update_required
    with django_capture_on_commit_callbacks(execute=True):
        sim.advance(5 * 60)  # the buyer fixed the wallet on Amazon's site: Open again
    oro = OrderReference.objects.get(pk=oro.pk)
    assert oro.state == "Open"
    sources = StateTransition.objects.filter(order_reference=oro, object_kind="order_reference")
    assert {t.to_state: t.source for t in sources}["Suspended"] == "ipn"
    second = Authorization.objects.filter(order_reference=oro).exclude(pk=first.pk).get()
    assert second.state == "Pending"  # re-authorized asynchronously
    kinds = set(IpnMessage.objects.values_list("notification_type", flat=True))
    assert kinds == {"PaymentAuthorize", "OrderReferenceNotification"}
    assert set(IpnMessage.objects.values_list("processing", flat=True)) == {"processed"}
