"""Service tests run against the embedded simulator, mounted on the app's client session."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from django_amazonpay import services
from django_amazonpay.client import reset_clients
from django_amazonpay.models import OrderReference
from django_amazonpay.services import ItemSnapshot

ITEMS = [
    ItemSnapshot(title="Tシャツ", unit_price=Decimal("2000"), quantity=2, sku="T-1", variation="M"),
    ItemSnapshot(title="ロングTシャツ", unit_price=Decimal("3000"), quantity=1, sku="T-2"),
]
#: seed 003: 2 x 2000 + 3000 + shipping 500 - coupon 1000 = 6500
TOTAL = Decimal("6500")


@pytest.fixture
def sim(amazon_pay_simulator: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The simulator; our client signs and measures time on its clock, so `sim.advance` can
    move days ahead without tripping the 15-minute Timestamp check (spec 1.3)."""
    from django_amazonpay.mws import signing
    from django_amazonpay.services import capturing

    original = signing.timestamp
    clock = amazon_pay_simulator.clock
    monkeypatch.setattr(signing, "timestamp", lambda now=None: original(clock.now()))
    monkeypatch.setattr(capturing, "now", clock.now)
    return amazon_pay_simulator


@pytest.fixture(autouse=True)
def _fresh_client() -> Any:
    reset_clients()  # each test's simulator mounts on a new session
    yield
    reset_clients()


def draft(sim: Any, **kwargs: Any) -> OrderReference:
    return services.start_checkout(sim.create_order_reference(**kwargs), access_token="token")


def with_details(oro: OrderReference, **kwargs: Any) -> OrderReference:
    return services.set_order_details(
        oro,
        items=kwargs.pop("items", ITEMS),
        shipping_fee=kwargs.pop("shipping_fee", 500),
        discount=kwargs.pop("discount", 1000),
        discount_note="初売りクーポン",
        seller_order_id=kwargs.pop("seller_order_id", "180206-140000-0000"),
        **kwargs,
    )


@pytest.fixture
def open_order(sim: Any) -> Callable[..., OrderReference]:
    """An Open order reference of TOTAL JPY (seed 003's order); kwargs go to the simulator."""

    def make(**kwargs: Any) -> OrderReference:
        return services.confirm(with_details(draft(sim, **kwargs)))

    return make


@pytest.fixture
def authorized(open_order: Callable[..., OrderReference]) -> Callable[..., Any]:
    def make(**kwargs: Any) -> Any:
        result = services.authorize(open_order(), synchronous=True, **kwargs)
        assert result.outcome == "authorized", result
        return result.authorization

    return make


@pytest.fixture
def captured(authorized: Callable[..., Any]) -> Callable[..., Any]:
    def make(**kwargs: Any) -> Any:
        result = services.capture(authorized(), **kwargs)
        assert result.outcome == "completed", result
        return result.capture

    return make


@pytest.fixture
def configure(sim: Any, settings: Any) -> Callable[..., None]:
    """Change AMAZON_PAY keys and mount the simulator on the rebuilt client again."""
    from django_amazonpay.testing import mount_simulator

    def change(**keys: Any) -> None:
        settings.AMAZON_PAY = {**settings.AMAZON_PAY, **keys}
        mount_simulator(sim)

    return change
