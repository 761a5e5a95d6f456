"""Reconciliation imports what was made outside the app, with source "reconcile"."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from django_amazonpay import services, tasks
from django_amazonpay.amounts import Amount
from django_amazonpay.client import get_client
from django_amazonpay.models import Authorization, Capture, StateTransition
from tests.tasks.conftest import open_order

pytestmark = pytest.mark.django_db


def _outside(oro: Any) -> tuple[str, str]:
    """An authorization and its capture made straight on the wire (as in Seller Central)."""
    client = get_client()
    auth = client.authorize(
        oro.amazon_order_reference_id,
        authorization_reference_id="seller-central-1",
        amount=Amount(Decimal("1000"), "JPY"),
        transaction_timeout=0,
    )
    cap = client.capture(
        auth.amazon_authorization_id,
        capture_reference_id="seller-central-c1",
        amount=Amount(Decimal("1000"), "JPY"),
    )
    return auth.amazon_authorization_id, cap.amazon_capture_id


def test_outside_objects_are_imported(sim: Any) -> None:
    oro = open_order(sim)
    ours = services.authorize(oro, synchronous=True, amount=2000).authorization
    auth_id, capture_id = _outside(oro)
    result = tasks.reconcile_open_orders.delay().get()
    assert result["orders"] == 1
    auth = Authorization.objects.get(amazon_authorization_id=auth_id)
    cap = Capture.objects.get(amazon_capture_id=capture_id)
    assert (auth.order_reference_id, cap.authorization_id) == (oro.pk, auth.pk)
    assert auth.state == "Closed" and cap.state == "Completed"
    sources = set(
        StateTransition.objects.filter(object_id__in=[auth_id, capture_id]).values_list(
            "source", flat=True
        )
    )
    assert sources == {"reconcile"}
    assert not StateTransition.objects.filter(authorization=ours, source="reconcile").exists()
    # a second sweep learns nothing new
    before = StateTransition.objects.count()
    tasks.reconcile_open_orders.delay().get()
    assert StateTransition.objects.count() == before


def test_command_reconciles_one_order(sim: Any, capsys: Any) -> None:
    oro = open_order(sim)
    auth_id, _ = _outside(oro)
    call_command("amazon_pay_reconcile", oro.amazon_order_reference_id)
    assert Authorization.objects.filter(amazon_authorization_id=auth_id).exists()
    assert "orders" in capsys.readouterr().out
