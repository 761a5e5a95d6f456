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


#: an AWS account that is not Amazon Pay's: anyone can create a topic there named after a
#: SellerId and publish through SNS, whose signature is then valid (docs/ipn.md, Trust)
FOREIGN_ACCOUNT = "123456789012"


def foreign_topic(sim: Any) -> str:
    return sim.ipn.topic_arn.replace(":291180941288:", f":{FOREIGN_ACCOUNT}:")


def notification(sim: Any, notification_type: str, xml: str, **envelope: Any) -> dict[str, Any]:
    """A notification signed with the (trusted) simulator certificate; `envelope` overrides
    fields of the envelope before signing (e.g. TopicArn)."""
    built = sim.ipn.build_notification(notification_type, xml, sign=False)
    built.update(envelope)
    return sim.ipn.sign(built)


def reads(operation: str) -> int:
    """Calls of `operation` made so far (the app's call log)."""
    from django_amazonpay.models import MwsCall

    return MwsCall.objects.filter(operation=operation).count()


def assert_error_shape(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:200])
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert set(data) == {"error", "error_description"}
    assert data["error"] and data["error_description"]
    return data


def authorization_xml(sim: Any, amazon_authorization_id: str) -> str:
    """The NotificationData the simulator would send for the authorization as it is now (it
    sends none for synchronous changes)."""
    from django_amazonpay.sandbox import render

    with sim.lock:
        auth = sim.engine.store.authorizations[amazon_authorization_id]
        inner = render.authorization_details(auth, sim.engine.captured(auth), ipn=True)
    return render.notification_data("AuthorizationNotification", inner)
