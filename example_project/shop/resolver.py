"""AMAZON_PAY["ORDER_RESOLVER"]: the API asks the shop for the amount and the items."""

from __future__ import annotations

from django.http import HttpRequest

from django_amazonpay.api.orders import OrderSnapshot
from django_amazonpay.services import ItemSnapshot

from . import payment
from .models import Order
from .shipping import shipping_fee


def resolve_order(request: HttpRequest, order_id: str) -> OrderSnapshot:
    """This session's new order `order_id`, shipping priced for the buyer's prefecture.

    Order.DoesNotExist (someone else's order, a finished one, or one another checkout has
    paid or is paying) becomes the API's 404.
    """
    order = Order.objects.get(
        number=order_id, session_key=request.session.session_key, status=Order.Status.NEW
    )
    checkout = request.amazon_pay_checkout  # set by the API: the buyer's Amazon address
    moving = order.amazon_order_reference_id not in ("", checkout.amazon_order_reference_id)
    if moving and payment.is_paid_or_on_its_way(order):
        # its checkout holds or is taking the money: a second one must not re-price it
        raise Order.DoesNotExist(f"order {order.number} is paid by another checkout")
    order.prefecture = (checkout.destination or {}).get("state_or_region", "")
    order.subtotal = payment.lines_subtotal(order)
    order.shipping_fee = shipping_fee(order.prefecture, order.subtotal)
    order.amazon_order_reference_id = checkout.amazon_order_reference_id
    order.save(
        update_fields=["prefecture", "subtotal", "shipping_fee", "amazon_order_reference_id"]
    )
    return OrderSnapshot(
        items=[
            ItemSnapshot(
                title=line.title,
                unit_price=line.unit_price,
                quantity=line.quantity,
                sku=line.product.sku,
            )
            for line in order.lines.select_related("product")
        ],
        shipping_fee=order.shipping_fee,
        seller_order_id=order.number,
    )
