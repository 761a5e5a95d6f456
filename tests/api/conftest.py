"""API tests: the storefront's calls through DRF's client, Amazon played by the simulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from django_amazonpay.client import reset_clients

BASE = "/amazon-pay/api/checkouts/"


@pytest.fixture(autouse=True)
def _api_settings(settings: Any) -> Iterator[None]:
    settings.ROOT_URLCONF = "tests.api.urls"
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "ORDER_RESOLVER": "tests.api.resolver.resolve"}
    reset_clients()
    yield
    reset_clients()


@pytest.fixture
def sim(_api_settings: None, amazon_pay_simulator: Any) -> Any:
    return amazon_pay_simulator


@pytest.fixture
def client() -> APIClient:
    return APIClient()


def url(oro_id: str = "", step: str = "") -> str:
    return f"{BASE}{oro_id}/{step}/" if step else (f"{BASE}{oro_id}/" if oro_id else BASE)


def start(client: APIClient, sim: Any, **kwargs: Any) -> dict[str, Any]:
    oro_id = sim.create_order_reference(**kwargs)
    response = client.post(
        url(), {"amazon_order_reference_id": oro_id, "access_token": "Atza|t"}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def start_and_set(client: APIClient, sim: Any, **kwargs: Any) -> dict[str, Any]:
    oro_id = start(client, sim, **kwargs)["amazon_order_reference_id"]
    response = client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()
