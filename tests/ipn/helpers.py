"""Small helpers shared by the IPN tests."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from django_amazonpay import services
from django_amazonpay.models import OrderReference
from tests.services.conftest import ITEMS

IPN_URL = "/amazon-pay/ipn/"


def open_order(sim: Any) -> OrderReference:
    oro = services.start_checkout(sim.create_order_reference(), access_token="token")
    oro = services.set_order_details(
        oro, items=ITEMS, shipping_fee=500, discount=1000, seller_order_id="ipn-test"
    )
    return services.confirm(oro)


def pending_authorization(sim: Any) -> Any:
    result = services.authorize(open_order(sim), synchronous=False)
    assert result.outcome == "pending", result
    return result.authorization


def post(client: Client, body: bytes | str, headers: dict[str, str] | None = None) -> Any:
    return client.post(
        IPN_URL,
        data=body if isinstance(body, bytes) else body.encode(),
        content_type="text/plain; charset=UTF-8",
        headers=headers or {},
    )


def post_envelope(client: Client, sim: Any, envelope: dict[str, Any]) -> Any:
    body = json.dumps(envelope).encode()
    return post(client, body, sim.ipn.headers_for(envelope))


def deliveries(sim: Any, notification_type: str) -> list[Any]:
    return [d for d in sim.ipn.delivered if d.notification_type == notification_type]
