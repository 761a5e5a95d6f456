"""A shop's ORDER_RESOLVER for the API tests: seed 003's order, shipping by prefecture."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest

from django_amazonpay.api.orders import OrderSnapshot
from django_amazonpay.services import ItemSnapshot

ITEMS = [
    ItemSnapshot(title="Tシャツ", unit_price=Decimal("2000"), quantity=2, sku="T-1", variation="M"),
    {"title": "ロングTシャツ", "unit_price": "3000", "quantity": 1, "sku": "T-2"},
]
SEEN: list[Any] = []


def resolve(request: HttpRequest, order_id: str) -> Any:
    """order "A-1": 7000 + shipping (500 in Tokyo, 800 elsewhere) - 1000 coupon."""
    checkout = request.amazon_pay_checkout
    SEEN.append((order_id, checkout.destination))
    if order_id == "missing":
        return None
    if order_id == "broken":
        raise LookupError(order_id)
    prefecture = (checkout.destination or {}).get("state_or_region", "")
    if order_id == "fractional":  # JPY has no decimals: the services refuse it
        return OrderSnapshot(items=[{"title": "half", "unit_price": "12.5", "quantity": 1}])
    if order_id == "as-dict":
        return {"items": ITEMS, "shipping_fee": 0, "seller_order_id": "D-1", "unknown": 1}
    return OrderSnapshot(
        items=ITEMS,
        shipping_fee=500 if prefecture == "東京都" else 800,
        discount=1000,
        discount_note="初売りクーポン",
    )
