"""When a shop order is paid: Amazon's answer must cover the order's total as it is now.

The one place the shop moves an order between new, confirmed, on hold and canceled. Both the
order-complete page and the receiver of the app's `order_reference_changed` signal call
`settle`, so whichever comes first (the buyer's return, an IPN, a staff button, a cancel
through the API) decides the same way. The pattern: django_amazonpay/docs/completing-orders.md.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.db import transaction

from django_amazonpay.models import OrderReference
from django_amazonpay.mws.errors import AmazonPayError
from django_amazonpay.services import PaymentStatus, cancel_order, payment_status
from django_amazonpay.services.coverage import CANCELED, CLOSED, COVERED, PENDING, TOTAL_CHANGED
from django_amazonpay.services.errors import ServiceError

from .models import Order
from .shipping import shipping_fee

logger = logging.getLogger(__name__)


def lines_subtotal(order: Order) -> Decimal:
    """What the order's lines cost now (never the stored `subtotal`, which may lag)."""
    return sum((line.total for line in order.lines.all()), Decimal("0"))


def order_total(order: Order) -> Decimal:
    """The order's total as the resolver prices it: lines + shipping to its prefecture."""
    subtotal = lines_subtotal(order)
    return subtotal + shipping_fee(order.prefecture, subtotal)


def order_reference_of(order: Order) -> OrderReference | None:
    if not order.amazon_order_reference_id:
        return None
    return OrderReference.objects.filter(
        amazon_order_reference_id=order.amazon_order_reference_id
    ).first()


def payment_of(order: Order) -> PaymentStatus:
    """Whether Amazon pays this order: its own checkout, its current total, its number."""
    return payment_status(
        order_reference_of(order), order_total(order), seller_order_id=order.number
    )


def is_placed(order: Order) -> bool:
    """Confirmed at Amazon: the total Amazon was given is fixed, so the lines are too."""
    oro = order_reference_of(order)
    return oro is not None and oro.state not in ("", "Draft")


def is_paid_or_on_its_way(order: Order) -> bool:
    """Covered, or an authorization/capture is still being processed: no new checkout."""
    return payment_of(order).reason in (COVERED, PENDING)


def next_status(current: str, payment: PaymentStatus) -> str:
    """The order's status after Amazon's latest answer (a pure decision, no database)."""
    if payment.covered:
        return Order.Status.CONFIRMED if current != Order.Status.CANCELED else current
    if current == Order.Status.NEW:
        # a new order is never confirmed on a checkout that cannot pay it any more
        return Order.Status.CANCELED if payment.final else current
    if current in (Order.Status.CONFIRMED, Order.Status.ON_HOLD):
        # Amazon ended the checkout unpaid: the order goes with it. Anything else (an
        # authorization closed or expired, the order changed since) waits for staff.
        if payment.final and payment.reason in (CANCELED, CLOSED):
            return Order.Status.CANCELED
        return Order.Status.ON_HOLD
    return current


def settle(order_pk: int) -> tuple[Order, PaymentStatus]:
    """Check the order against Amazon's answer and store the status that follows."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_pk)
        payment = payment_of(order)
        status = next_status(order.status, payment)
        canceled_now = status == Order.Status.CANCELED != order.status
        if status != order.status:
            logger.info(
                "shop order %s: %s -> %s (%s)", order.number, order.status, status, payment.reason
            )
            order.status = status
            order.save(update_fields=["status"])
    if canceled_now and payment.reason == TOTAL_CHANGED:
        # once, by whoever canceled the order (a reload of the page is no new attempt);
        # after the commit: no row lock is held while Amazon works
        release(order)
    return order, payment


def release(order: Order) -> None:
    """Cancel the checkout of an order canceled for a changed total, so that the buyer's
    money is not held until the authorization expires. Only this order's own checkout, and
    only while nothing was captured: Amazon refuses the cancel otherwise."""
    oro = order_reference_of(order)
    if oro is None or oro.seller_order_id != order.number or oro.state not in ("Open", "Suspended"):
        return
    if oro.captures.exists():
        return
    try:
        cancel_order(oro, reason="order changed after it was placed")
    except (AmazonPayError, ServiceError) as exc:  # the authorization expires on its own
        logger.warning("shop order %s: checkout %s not canceled: %s", order.number, oro, exc)


def on_order_reference_changed(sender: Any, instance: OrderReference, **kwargs: Any) -> None:
    """Receiver of django_amazonpay.signals.order_reference_changed (connected in apps.py)."""
    orders = Order.objects.filter(amazon_order_reference_id=instance.amazon_order_reference_id)
    for pk in orders.values_list("pk", flat=True):
        settle(pk)
