"""The shop's pages: products, cart, checkout (Amazon Pay widgets + the API), order complete."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from django_amazonpay.models import OrderReference

from . import cart
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
    return timezone.now().strftime("%y%m%d-") + secrets.token_hex(3).upper()


@transaction.atomic
def _order_for_cart(request: HttpRequest, lines: list[cart.CartLine]) -> Order:
    """This session's order being checked out, its lines rebuilt from the cart."""
    if not request.session.session_key:
        request.session.save()
    order = Order.objects.filter(
        number=request.session.get(ORDER_SESSION_KEY, ""),
        session_key=request.session.session_key,
        status=Order.Status.NEW,
    ).first()
    if order is None:
        order = Order.objects.create(number=_new_number(), session_key=request.session.session_key)
        request.session[ORDER_SESSION_KEY] = order.number
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
    lines = cart.lines(request.session)
    if not lines:
        messages.info(request, _("Your cart is empty."))
        return redirect("shop:products")
    order = _order_for_cart(request, lines)
    context = {
        "order": order,
        "lines": lines,
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


def complete(request: HttpRequest, number: str) -> HttpResponse:
    order = get_object_or_404(Order, number=number, session_key=request.session.session_key)
    oro = OrderReference.objects.filter(
        amazon_order_reference_id=order.amazon_order_reference_id
    ).first()
    auth = oro.authorizations.order_by("-attempt").first() if oro is not None else None
    paid = auth is not None and auth.state in ("Open", "Closed") and oro.state != "Suspended"
    if paid and order.status == Order.Status.NEW:
        order.status = Order.Status.CONFIRMED
        order.save(update_fields=["status"])
        cart.clear(request.session)
        request.session.pop(ORDER_SESSION_KEY, None)
    context = {"order": order, "checkout": oro, "authorization": auth, "paid": paid}
    return render(request, "shop/complete.html", context)
