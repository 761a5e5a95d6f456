"""A buyer of the example shop: the Django test client on the shop's pages and the API, the
simulator (mounted in-process) standing in for Amazon. Settings: tests.example.shop_settings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from shop.demo_data import load_products
from shop.models import Order, OrderLine, Product
from shop.payment import order_total

from django_amazonpay.client import reset_clients
from django_amazonpay.models import Authorization, OrderReference

API = "/amazon-pay/api/checkouts/"


@pytest.fixture(autouse=True)
def _shop(transactional_db: Any) -> Iterator[None]:
    # transactional: the app sends its signals once a transaction commits, as in production
    cache.clear()  # the API's throttle counters
    reset_clients()
    load_products()
    yield
    reset_clients()


@pytest.fixture
def sim(amazon_pay_simulator: Any) -> Any:
    return amazon_pay_simulator


@dataclass
class Buyer:
    """One browser: its cart, its order, its Amazon Pay checkout."""

    client: Client
    sim: Any
    oro_id: str = ""

    def add(self, sku: str, quantity: int = 1) -> None:
        for _ in range(quantity):
            response = self.client.post(f"/cart/add/{sku}/")
            assert response.status_code == 302, response

    def checkout_page(self) -> Any:
        return self.client.get("/checkout/")

    @property
    def order(self) -> Order:
        return Order.objects.get(number=self.client.session["order_number"])

    def api(self, step: str = "", body: dict | None = None, method: str = "post") -> Any:
        url = f"{API}{self.oro_id}/{step}/" if step else f"{API}{self.oro_id}/"
        if method == "get":
            return self.client.get(url)
        return self.client.post(url, body or {}, content_type="application/json")

    def start(self, **amazon: Any) -> None:
        self.oro_id = self.sim.create_order_reference(**amazon)
        response = self.client.post(
            API,
            {"amazon_order_reference_id": self.oro_id, "access_token": "Atza|buyer"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content

    def set_order(self, number: str | None = None) -> Any:
        return self.api("order", {"order_id": number or self.order.number})

    def place(self, **amazon: Any) -> dict:
        """Checkout page, Amazon sign-in, set the order, confirm (authorizes): the JSON."""
        assert self.checkout_page().status_code == 200
        self.start(**amazon)
        assert self.set_order().status_code == 200
        response = self.api("confirm")
        assert response.status_code == 200, response.content
        return response.json()

    def complete(self, number: str | None = None) -> Any:
        return self.client.get(f"/order/{number or self.order.number}/complete/")


@pytest.fixture
def buyer(sim: Any) -> Buyer:
    return Buyer(Client(), sim)


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("staff", "staff@example.com"))
    return client


def add_lines(order: Order, sku: str, quantity: int) -> None:
    """Lines written behind the shop's pages (a bug, a script, a rogue admin)."""
    product = Product.objects.get(sku=sku)
    OrderLine.objects.create(
        order=order, product=product, title=product.name_en, unit_price=product.price,
        quantity=quantity,
    )  # fmt: skip


def assert_confirmed_orders_are_paid() -> None:
    """The invariant: every confirmed order's current total is what Amazon authorized or
    captured for it, on its own order reference."""
    for order in Order.objects.filter(status=Order.Status.CONFIRMED):
        oro = OrderReference.objects.get(amazon_order_reference_id=order.amazon_order_reference_id)
        assert oro.seller_order_id == order.number
        assert oro.amount == order_total(order)
        held = Authorization.objects.filter(order_reference=oro, state__in=("Open", "Closed"))
        assert sum((a.amount for a in held), Decimal("0")) >= order_total(order)
