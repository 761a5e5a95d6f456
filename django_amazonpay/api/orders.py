"""The shop's side of "set order": ORDER_RESOLVER turns (request, order id) into a snapshot.

The amount and the items always come from here, never from the request body. Before the
resolver is called the view sets `request.amazon_pay_checkout` to the OrderReference, whose
`destination` (Amazon's address, read with the buyer's access token) lets the shop price
shipping, e.g. by prefecture.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest
from django.utils.module_loading import import_string

from ..conf import ConfigurationError, get_settings
from ..services import ItemSnapshot
from .errors import OrderNotFound


@dataclass(frozen=True)
class OrderSnapshot:
    """What a resolver returns (a Mapping with the same keys works as well)."""

    items: list[ItemSnapshot]
    shipping_fee: Decimal | str | int = 0
    discount: Decimal | str | int = 0
    discount_note: str = ""
    seller_order_id: str = ""
    store_name: str | None = None
    seller_note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _item(value: Any) -> ItemSnapshot:
    if isinstance(value, ItemSnapshot):
        return value
    if isinstance(value, Mapping):
        return ItemSnapshot(
            title=str(value["title"]),
            unit_price=value["unit_price"],
            quantity=value.get("quantity", 1),
            sku=str(value.get("sku", "")),
            variation=str(value.get("variation", "")),
        )
    raise ConfigurationError(f"ORDER_RESOLVER returned an item of type {type(value).__name__}")


def _snapshot(value: Any, order_id: str) -> OrderSnapshot:
    if isinstance(value, OrderSnapshot):
        snapshot = value
    elif isinstance(value, Mapping):
        known = OrderSnapshot.__dataclass_fields__
        snapshot = OrderSnapshot(**{k: v for k, v in value.items() if k in known})
    else:
        raise ConfigurationError(
            f"ORDER_RESOLVER must return an OrderSnapshot or a mapping, not {type(value).__name__}"
        )
    return OrderSnapshot(
        items=[_item(item) for item in snapshot.items],
        shipping_fee=snapshot.shipping_fee,
        discount=snapshot.discount,
        discount_note=snapshot.discount_note,
        seller_order_id=snapshot.seller_order_id or order_id,
        store_name=snapshot.store_name,
        seller_note=snapshot.seller_note,
        extra=dict(snapshot.extra),
    )


def resolve_order(request: HttpRequest, order_id: str) -> OrderSnapshot:
    """Call ORDER_RESOLVER; None, LookupError or DoesNotExist from it mean 404 no_order."""
    path = get_settings().order_resolver
    if not path:
        raise ConfigurationError("AMAZON_PAY['ORDER_RESOLVER'] is not set")
    try:
        resolver = import_string(path)
    except ImportError as err:
        raise ConfigurationError(f"cannot import ORDER_RESOLVER {path!r}: {err}") from err
    try:
        value = resolver(request, order_id)
    except (LookupError, ObjectDoesNotExist):
        raise OrderNotFound() from None
    if value is None:
        raise OrderNotFound()
    return _snapshot(value, order_id)
