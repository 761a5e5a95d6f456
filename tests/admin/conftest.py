"""Admin tests: the Django test client against the admin, the simulator behind the services."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from django_amazonpay import services
from django_amazonpay.admin import permissions
from django_amazonpay.client import reset_clients
from django_amazonpay.models import Authorization, Capture, OrderReference
from django_amazonpay.services import ItemSnapshot

ITEMS = [
    ItemSnapshot(title="Tシャツ", unit_price=Decimal("2000"), quantity=2, sku="T-1", variation="M"),
    ItemSnapshot(title="ロングTシャツ", unit_price=Decimal("3000"), quantity=1, sku="T-2"),
]
#: 2 x 2000 + 3000 + shipping 500 - coupon 1000
TOTAL = Decimal("6500")

ALL_ACTIONS = tuple(codename for codename, _name in permissions.PERMISSIONS)


@pytest.fixture(autouse=True)
def _fresh_client() -> Iterator[None]:
    reset_clients()  # each test's simulator mounts on a new session
    yield
    reset_clients()


@pytest.fixture
def sim(amazon_pay_simulator: Any) -> Any:
    return amazon_pay_simulator


def admin_url(name: str, *args: Any, **query: str) -> str:
    url = reverse(f"admin:django_amazonpay_{name}", args=args)
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


@pytest.fixture
def make_staff(db: Any) -> Callable[..., Client]:
    """A logged-in client for a staff user with view permissions plus `codenames`."""

    def make(*codenames: str, username: str = "staff") -> Client:
        user = User.objects.create_user(username, is_staff=True)  # no password: no hashing
        ct = ContentType.objects.get_for_model(OrderReference)
        perms = [
            Permission.objects.get_or_create(
                content_type=ct, codename=codename, defaults={"name": codename}
            )[0]
            for codename in codenames
        ]
        perms += Permission.objects.filter(
            content_type__app_label="django_amazonpay", codename__startswith="view_"
        )
        user.user_permissions.add(*perms)
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def admin_client(db: Any) -> Client:
    """A superuser's client; no password, so no slow hashing (overrides pytest-django's)."""
    client = Client()
    client.force_login(User.objects.create_superuser("admin", email="admin@example.com"))
    return client


@pytest.fixture
def staff(make_staff: Callable[..., Client]) -> Client:
    """Staff holding every action permission (not a superuser)."""
    return make_staff(*ALL_ACTIONS, username="clerk")


@pytest.fixture
def open_order(sim: Any, db: Any) -> Callable[..., OrderReference]:
    """An Open order reference of TOTAL JPY with a Japanese order snapshot."""

    def make(**kwargs: Any) -> OrderReference:
        oro = services.start_checkout(sim.create_order_reference(**kwargs), access_token="token")
        oro = services.set_order_details(
            oro,
            items=ITEMS,
            shipping_fee=500,
            discount=1000,
            discount_note="初売りクーポン",
            seller_order_id="180206-140000-0000",
        )
        return services.confirm(oro)

    return make


@pytest.fixture
def authorized(open_order: Callable[..., OrderReference]) -> Callable[..., Authorization]:
    def make(**kwargs: Any) -> Authorization:
        result = services.authorize(open_order(**kwargs), synchronous=True)
        assert result.outcome == "authorized", result
        return result.authorization

    return make


@pytest.fixture
def captured(authorized: Callable[..., Authorization]) -> Callable[..., Capture]:
    def make(**kwargs: Any) -> Capture:
        result = services.capture(authorized(**kwargs))
        assert result.outcome == "completed", result
        return result.capture

    return make


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
