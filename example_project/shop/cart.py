"""The cart: {sku: quantity} in the session."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .models import Product

SESSION_KEY = "cart"
MAX_QUANTITY = 20
#: what a SKU looks like (Product.sku, at most 32): anything else never enters the cart
SKU = re.compile(r"[A-Za-z0-9_-]{1,32}", re.ASCII)


@dataclass(frozen=True)
class CartLine:
    product: Product
    quantity: int

    @property
    def total(self) -> Decimal:
        return self.product.price * self.quantity


def _raw(session: Any) -> dict[str, int]:
    stored = session.get(SESSION_KEY, {})
    if not isinstance(stored, dict):
        return {}
    return {
        sku: quantity
        for sku, quantity in stored.items()
        if isinstance(sku, str) and SKU.fullmatch(sku) and type(quantity) is int
    }


def add(session: Any, sku: str, quantity: int = 1) -> None:
    if not SKU.fullmatch(sku):
        return
    cart = _raw(session)
    cart[sku] = min(cart.get(sku, 0) + quantity, MAX_QUANTITY)
    session[SESSION_KEY] = cart


def set_quantity(session: Any, sku: str, quantity: int) -> None:
    if not SKU.fullmatch(sku):
        return
    cart = _raw(session)
    if quantity <= 0:
        cart.pop(sku, None)
    else:
        cart[sku] = min(quantity, MAX_QUANTITY)
    session[SESSION_KEY] = cart


def clear(session: Any) -> None:
    session.pop(SESSION_KEY, None)


def remove_ordered(session: Any, ordered: dict[str, int]) -> None:
    """Take an order's quantities ({sku: quantity}) out of the cart; what was added after
    the order was placed stays for the next one."""
    cart = _raw(session)
    for sku, quantity in ordered.items():
        left = cart.get(sku, 0) - quantity
        if left > 0:
            cart[sku] = left
        else:
            cart.pop(sku, None)
    session[SESSION_KEY] = cart


def quantities(cart_lines: list[CartLine]) -> dict[str, int]:
    """{sku: quantity} of `cart_lines`, to compare with an order's lines."""
    return {line.product.sku: line.quantity for line in cart_lines}


def lines(session: Any) -> list[CartLine]:
    cart = _raw(session)
    products = Product.objects.filter(sku__in=cart, is_active=True).order_by("pk")
    return [CartLine(p, cart[p.sku]) for p in products if cart[p.sku] > 0]


def count(session: Any) -> int:
    return sum(_raw(session).values())


def subtotal(cart_lines: list[CartLine]) -> Decimal:
    return sum((line.total for line in cart_lines), Decimal("0"))
