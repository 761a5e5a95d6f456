"""Model conventions (STYLE 5, 6): help_text everywhere, money beside its currency, unique ids."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, models

from django_amazonpay.models import (
    Authorization,
    Capture,
    MwsCall,
    OrderItem,
    OrderReference,
    Refund,
    StateTransition,
)

ALL = [OrderReference, OrderItem, Authorization, Capture, Refund, StateTransition, MwsCall]


@pytest.mark.parametrize("model", ALL)
def test_every_field_has_help_text(model) -> None:
    missing = [
        f.name
        for f in model._meta.get_fields()
        if getattr(f, "concrete", False) and not f.primary_key and not f.help_text
    ]
    assert missing == []


@pytest.mark.parametrize("model", ALL)
def test_money_is_decimal_with_a_currency(model) -> None:
    money = [f for f in model._meta.get_fields() if isinstance(f, models.DecimalField)]
    for field in money:
        assert (field.max_digits, field.decimal_places) == (14, 2)
        assert field.default == Decimal("0") and isinstance(field.default, Decimal)
    if money:
        assert model._meta.get_field("currency").max_length == 3


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (OrderReference, "amazon_order_reference_id"),
        (Authorization, "amazon_authorization_id"),
        (Authorization, "authorization_reference_id"),
        (Capture, "amazon_capture_id"),
        (Capture, "capture_reference_id"),
        (Refund, "amazon_refund_id"),
        (Refund, "refund_reference_id"),
    ],
)
def test_amazon_and_reference_ids_are_unique(model, field) -> None:
    assert model._meta.get_field(field).unique


@pytest.mark.django_db
def test_reference_id_unique_in_the_database() -> None:
    oro = OrderReference.objects.create(amazon_order_reference_id="S03-1-1", currency="JPY")
    Authorization.objects.create(
        order_reference=oro, authorization_reference_id="S03-1-1-A1", currency="JPY"
    )
    with pytest.raises(IntegrityError):
        Authorization.objects.create(
            order_reference=oro, attempt=2, authorization_reference_id="S03-1-1-A1", currency="JPY"
        )


@pytest.mark.django_db
def test_unknown_amazon_ids_may_repeat_as_null() -> None:
    oro = OrderReference.objects.create(amazon_order_reference_id="S03-1-2", currency="JPY")
    for n in (1, 2):
        Authorization.objects.create(
            order_reference=oro, attempt=n, authorization_reference_id=f"r{n}", currency="JPY"
        )
    assert Authorization.objects.filter(amazon_authorization_id=None).count() == 2
    assert str(Authorization.objects.first()) == "r1"
