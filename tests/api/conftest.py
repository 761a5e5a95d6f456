"""API tests: the storefront's calls through DRF's client, Amazon played by the simulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from django_amazonpay.client import reset_clients
from django_amazonpay.testing import mount_simulator
from tests.api import resolver

BASE = "/amazon-pay/api/checkouts/"
#: a well-formed Login with Amazon access token (the simulator accepts any but "invalid")
TOKEN = "Atza|t"


@pytest.fixture(autouse=True)
def _api_settings(settings: Any) -> Iterator[None]:
    cache.clear()  # throttle counters
    resolver.SEEN.clear()
    settings.ROOT_URLCONF = "tests.api.urls"
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "ORDER_RESOLVER": "tests.api.resolver.resolve"}
    reset_clients()
    yield
    reset_clients()


@pytest.fixture
def sim(_api_settings: None, amazon_pay_simulator: Any) -> Any:
    # the fixture puts the API's read windows on the simulator's clock (sim.advance moves
    # them: testing.follow_simulator_clock)
    return amazon_pay_simulator


@pytest.fixture
def client() -> APIClient:
    return APIClient()


def url(oro_id: str = "", step: str = "") -> str:
    return f"{BASE}{oro_id}/{step}/" if step else (f"{BASE}{oro_id}/" if oro_id else BASE)


def start(client: APIClient, sim: Any, **kwargs: Any) -> dict[str, Any]:
    oro_id = sim.create_order_reference(**kwargs)
    response = client.post(
        url(), {"amazon_order_reference_id": oro_id, "access_token": TOKEN}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def start_and_set(client: APIClient, sim: Any, **kwargs: Any) -> dict[str, Any]:
    oro_id = start(client, sim, **kwargs)["amazon_order_reference_id"]
    response = client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def confirmed(client: APIClient, sim: Any, **kwargs: Any) -> dict[str, Any]:
    oro_id = start_and_set(client, sim, **kwargs)["amazon_order_reference_id"]
    response = client.post(url(oro_id, "confirm"))
    assert response.status_code == 200, response.json()
    return response.json()


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The seed-003 error shape, the status, and no traceback."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "error_description"}, body
    assert body["error_description"] and "Traceback" not in body["error_description"]
    if code is not None:
        assert body["error"] == code, body
    return body


def configure(settings: Any, sim: Any, **keys: Any) -> None:
    """Change AMAZON_PAY keys mid-test (the clients are rebuilt: mount the simulator again)."""
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, **keys}
    mount_simulator(sim)


def serve_test_api(settings: Any, sim: Any, **keys: Any) -> None:
    """This API as tests/api serves it (its URLs, its resolver, no API throttling), for tests
    elsewhere; `keys` are more AMAZON_PAY settings."""
    cache.clear()  # throttle counters
    settings.ROOT_URLCONF = "tests.api.urls"
    configure(
        settings,
        sim,
        ORDER_RESOLVER="tests.api.resolver.resolve",
        **{
            "API_READ_RATE": None,
            "API_WRITE_RATE": None,
            "API_ADDRESS_WRITE_RATE": None,
            "API_START_RATE": None,
            **keys,
        },
    )
