"""The shop's pages: products, cart, checkout (Amazon Pay widgets + the API), order complete."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from django_amazonpay.services import coverage

from . import cart, payment
from .models import Order, OrderLine, Product
from .shipping import FREE_SHIPPING_FROM

ORDER_SESSION_KEY = "order_number"


def cart_count(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the number of items in the cart, for the header."""
    session = getattr(request, "session", None)
    return {"cart_count": cart.count(session) if session is not None else 0}


def products(request: HttpRequest) -> HttpResponse:
    items = Product.objects.filter(is_active=True)
    return render(request, "shop/products.html", {"products": items})


@require_POST
def add_to_cart(request: HttpRequest, sku: str) -> HttpResponse:
    product = get_object_or_404(Product, sku=sku, is_active=True)
    cart.add(request.session, product.sku)
    messages.success(request, _("%(product)s was added to your cart.") % {"product": product})
    return redirect("shop:cart")


def cart_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        for key, value in request.POST.items():
            if key.startswith("qty-"):
                try:
                    quantity = int(value)
                except ValueError:
                    continue
                cart.set_quantity(request.session, key[4:], quantity)
        return redirect("shop:cart")
    lines = cart.lines(request.session)
    context = {
        "lines": lines,
        "subtotal": cart.subtotal(lines),
        "free_shipping_from": FREE_SHIPPING_FROM,
    }
    return render(request, "shop/cart.html", context)


def _new_number() -> str:
    # the shop's day (TIME_ZONE), not UTC's: a Tokyo order at 8:00 is dated that day
    return timezone.localdate().strftime("%y%m%d-") + secrets.token_hex(3).upper()


def _ordered(order: Order) -> dict[tuple[str, Decimal], int]:
    return {(line.product.sku, line.unit_price): line.quantity for line in order.lines.all()}


def _in_cart(lines: list[cart.CartLine]) -> dict[tuple[str, Decimal], int]:
    return {(line.product.sku, line.product.price): line.quantity for line in lines}


def _session_order(request: HttpRequest) -> Order | None:
    """The order this session is checking out, once it is no longer new: None.

    A confirmed order's items leave the cart (what was added after it stays); a canceled
    one leaves the cart as it is, to check out again.
    """
    number, key = request.session.get(ORDER_SESSION_KEY), request.session.session_key
    order = Order.objects.filter(number=number, session_key=key).first() if number else None
    if order is None or order.status == Order.Status.NEW:
        return order
    if order.status in (Order.Status.CONFIRMED, Order.Status.ON_HOLD):
        ordered: dict[str, int] = {}
        for (sku, _price), quantity in _ordered(order).items():
            ordered[sku] = ordered.get(sku, 0) + quantity
        cart.remove_ordered(request.session, ordered)
    request.session.pop(ORDER_SESSION_KEY, None)
    return None


@transaction.atomic
def _order_for_cart(request: HttpRequest, order: Order | None, lines: list[cart.CartLine]) -> Order:
    """`order` with its lines made the cart's, or a new order when there is none, or when
    `order` was placed or settled meanwhile (settle locks the row too: see payment.py)."""
    if not request.session.session_key:
        request.session.save()
    if order is not None:
        new_orders = Order.objects.select_for_update().filter(status=Order.Status.NEW)
        order = new_orders.filter(pk=order.pk).first()
        if order is not None and payment.is_placed(order):
            order = None
    if order is None:
        order = Order.objects.create(number=_new_number(), session_key=request.session.session_key)
        request.session[ORDER_SESSION_KEY] = order.number
    elif _ordered(order) == _in_cart(lines):
        return order
    order.lines.all().delete()
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=line.product,
            title=line.product.name,
            unit_price=line.product.price,
            quantity=line.quantity,
        )
        for line in lines
    )
    order.subtotal = cart.subtotal(lines)
    order.save(update_fields=["subtotal"])
    return order


def checkout(request: HttpRequest) -> HttpResponse:
    order = _session_order(request)  # first: a finished order takes its items out of the cart
    lines = cart.lines(request.session)
    if order is not None and payment.is_placed(order):
        # confirmed at Amazon: its lines are what the buyer agreed to pay for, never re-priced
        if payment.is_paid_or_on_its_way(order):
            messages.info(
                request, _("Your order %(number)s is already placed.") % {"number": order.number}
            )
            return redirect("shop:complete", order.number)
        if _ordered(order) == _in_cart(lines):
            return _checkout_page(request, order)  # e.g. after a decline: pay it another way
        order = None  # the changed cart is a new order; this one stays as Amazon has it
    if not lines:
        messages.info(request, _("Your cart is empty."))
        return redirect("shop:products")
    return _checkout_page(request, _order_for_cart(request, order, lines))


def _checkout_page(request: HttpRequest, order: Order) -> HttpResponse:
    context = {
        "order": order,
        "lines": order.lines.select_related("product"),
        "subtotal": order.subtotal,
        "complete_url": reverse("shop:complete", args=[order.number]),
        "texts": {
            "loading": _("Reading your Amazon Pay details..."),
            "paying": _("Placing your order..."),
            "complete": _("Your order is confirmed."),
            "declined": _(
                "Your payment method was declined. Please choose another payment method "
                "in the Amazon Pay box above."
            ),
            "rejected": _("Amazon Pay could not accept this payment. Please pay another way."),
            "wait": _("Your payment is being processed..."),
            "retry": _("We could not get an answer from Amazon Pay. Please try again."),
            "address": _("Please choose a shipping address."),
            "payment": _("Please choose a payment method."),
            "over": _("This checkout has ended. Please start again from your cart."),
            "failed": _("Something went wrong."),
        },
    }
    return render(request, "shop/checkout.html", context)


def _unpaid_text(order: Order, reason: str) -> str:
    """What the buyer is told when the order is not confirmed."""
    if order.status == Order.Status.ON_HOLD:
        return _("Your order is on hold: its payment no longer covers it. We will contact you.")
    if reason in (coverage.TOTAL_CHANGED, coverage.OTHER_ORDER, coverage.CURRENCY_MISMATCH):
        return _(
            "Your order changed after it was placed, so the Amazon Pay payment does not match "
            "it. It was not confirmed and will not be charged. Please check out again."
        )
    texts = {
        coverage.CANCELED: _("This checkout was canceled. The order will not be shipped."),
        coverage.CLOSED: _("Amazon Pay closed this checkout before it was paid."),
        coverage.PENDING: _("Your payment is being processed. Reload this page in a moment."),
        coverage.SUSPENDED: _(
            "Your payment method was declined. Please choose another one at the checkout."
        ),
        coverage.NOT_COVERED: _("Amazon Pay has not authorized the payment of this order."),
    }
    return texts.get(reason, _("Your order is not paid yet."))


def complete(request: HttpRequest, number: str) -> HttpResponse:
    order = get_object_or_404(Order, number=number, session_key=request.session.session_key)
    # the same decision the signal receiver makes: Amazon's answer against the current total
    order, paid_by = payment.settle(order.pk)
    if request.session.get(ORDER_SESSION_KEY) == order.number:
        _session_order(request)  # a finished order leaves the session (and its items the cart)
    paid = order.status == Order.Status.CONFIRMED and paid_by.covered
    context = {
        "order": order,
        "checkout": payment.order_reference_of(order),
        "paid": paid,
        "total": paid_by.amount,
        "problem": "" if paid else _unpaid_text(order, paid_by.reason),
        # a new order may still be paid; a canceled one's items are still in the cart
        "can_check_out": order.status in (Order.Status.NEW, Order.Status.CANCELED)
        and paid_by.reason != coverage.PENDING,
    }
    return render(request, "shop/complete.html", context)
