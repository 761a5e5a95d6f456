"""Every checkout step through the API, each answer's next_action."""

from __future__ import annotations

from typing import Any

import pytest

from django_amazonpay.models import Authorization, OrderReference
from tests.api import resolver
from tests.api.conftest import TOKEN, assert_error, configure, confirmed, start, start_and_set, url

pytestmark = pytest.mark.django_db
OSAKA = {
    "Name": "佐藤花子",
    "AddressLine1": "北区梅田1-1-1",
    "StateOrRegion": "大阪府",
    "PostalCode": "5300001",
    "CountryCode": "JP",
}


def test_start_mirrors_the_draft_and_asks_for_the_order(sim: Any, client: Any) -> None:
    data = start(client, sim)
    assert data["state"] == "Draft"
    assert data["next_action"] == "set_order"
    assert data["wallet"] == "edit"
    assert data["destination"]["state_or_region"] == "東京都"
    assert OrderReference.objects.filter(
        amazon_order_reference_id=data["amazon_order_reference_id"]
    )


def test_start_twice_returns_the_same_checkout(sim: Any, client: Any) -> None:
    oro_id = sim.create_order_reference()
    for expected in (201, 201):
        body = {"amazon_order_reference_id": oro_id, "access_token": TOKEN}
        response = client.post(url(), body, format="json")
        assert response.status_code == expected
    assert OrderReference.objects.count() == 1


def test_read_has_live_constraints_destination_and_amounts(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    data = client.get(url(oro_id)).json()
    assert {c["id"] for c in data["constraints"]} == {"AmountNotSet"}
    assert data["next_action"] == "set_order"
    assert data["destination"]["address_line1"] == "渋谷区神宮前2-2-2"
    assert data["amount"] == "0" and data["currency"] == "JPY"


def test_read_without_address_asks_for_one(sim: Any, client: Any) -> None:
    oro_id = start(client, sim, address={})["amazon_order_reference_id"]
    data = client.get(url(oro_id)).json()
    assert "ShippingAddressNotSet" in {c["id"] for c in data["constraints"]}
    assert data["next_action"] == "choose_address"


def test_read_after_set_order_says_confirm(sim: Any, client: Any) -> None:
    oro_id = start_and_set(client, sim)["amazon_order_reference_id"]
    data = client.get(url(oro_id)).json()
    assert data["constraints"] == []
    assert data["next_action"] == "confirm"


def test_set_order_takes_amount_and_items_from_the_resolver(sim: Any, client: Any) -> None:
    data = start_and_set(client, sim)
    assert data["amount"] == "6500"  # 2 x 2000 + 3000 + 500 (Tokyo) - 1000
    assert data["shipping_fee"] == "500" and data["discount"] == "1000"
    assert [i["title"] for i in data["items"]] == ["Tシャツ", "ロングTシャツ"]
    assert data["order_id"] == "A-1"
    assert data["next_action"] == "confirm"
    order_id, destination = resolver.SEEN[-1]
    assert order_id == "A-1" and destination["address_line1"] == "渋谷区神宮前2-2-2"
    assert data["destination"]["address_line1"] == "渋谷区神宮前2-2-2"  # read back whole


def test_shipping_follows_the_buyers_prefecture(sim: Any, client: Any) -> None:
    assert start_and_set(client, sim, address=OSAKA)["amount"] == "6800"


def test_a_tampered_amount_in_the_body_is_ignored(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    body = {
        "order_id": "A-1",
        "amount": "1",
        "order_total": "1",
        "shipping_fee": "0",
        "items": [{"title": "free", "unit_price": "1", "quantity": 1}],
    }
    data = client.post(url(oro_id, "order"), body, format="json").json()
    assert data["amount"] == "6500"
    assert [i["title"] for i in data["items"]] == ["Tシャツ", "ロングTシャツ"]
    assert str(sim.get_object(oro_id)["order_total"]) in ("6500", "6500.00")


def test_resolver_may_return_a_mapping(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    data = client.post(url(oro_id, "order"), {"order_id": "as-dict"}, format="json").json()
    assert data["amount"] == "7000" and data["order_id"] == "D-1"


def test_set_order_again_reprices(sim: Any, client: Any) -> None:
    oro_id = start_and_set(client, sim)["amazon_order_reference_id"]
    data = client.post(url(oro_id, "order"), {"order_id": "as-dict"}, format="json").json()
    assert data["amount"] == "7000"


def test_set_order_after_confirm_is_refused(sim: Any, client: Any) -> None:
    oro_id = confirmed(client, sim)["amazon_order_reference_id"]
    response = client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json")
    assert_error(response, 409, "invalid_state")


def test_confirm_authorizes_and_completes(sim: Any, client: Any) -> None:
    data = confirmed(client, sim)
    assert data["state"] == "Open"
    assert data["authorization"]["state"] == "Open"
    assert data["authorization"]["amount"] == "6500"
    assert data["next_action"] == "complete"
    assert data["wallet"] == "read"


def test_confirm_twice_authorizes_once(sim: Any, client: Any) -> None:
    oro_id = confirmed(client, sim)["amazon_order_reference_id"]
    again = client.post(url(oro_id, "confirm"))
    assert again.status_code == 200 and again.json()["next_action"] == "complete"
    assert Authorization.objects.count() == 1


def test_confirm_after_the_capture_changes_nothing(sim: Any, client: Any) -> None:
    from django_amazonpay import services

    oro_id = confirmed(client, sim)["amazon_order_reference_id"]
    services.capture(Authorization.objects.get())
    again = client.post(url(oro_id, "confirm"))
    assert again.status_code == 200, again.json()
    assert again.json()["next_action"] == "complete"
    assert Authorization.objects.count() == 1
    payment = client.get(url(oro_id, "payment")).json()
    assert payment["outcome"] == "captured" and len(payment["captures"]) == 1


def test_confirm_without_authorizing(sim: Any, client: Any, settings: Any) -> None:
    configure(settings, sim, AUTHORIZE_ON_CONFIRM=False)
    data = confirmed(client, sim)
    assert data["state"] == "Open" and data["authorization"] is None
    assert data["next_action"] == "complete"


def test_confirm_before_the_order_is_set(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    assert_error(client.post(url(oro_id, "confirm")), 409, "invalid_state")


def test_invalid_payment_method_then_another_method(sim: Any, client: Any) -> None:
    data = confirmed(client, sim, payment_method="decline-invalid-payment-method")
    oro_id = data["amazon_order_reference_id"]
    assert data["state"] == "Suspended"
    assert data["authorization"]["state"] == "Declined"
    assert data["authorization"]["reason_code"] == "InvalidPaymentMethod"
    assert data["next_action"] == "choose_another_payment_method"
    assert data["wallet"] == "edit"
    assert client.get(url(oro_id)).json()["next_action"] == "choose_another_payment_method"
    assert_error(client.post(url(oro_id, "confirm")), 409, "invalid_state")

    sim.set_payment_method(oro_id, "visa-1111")
    again = client.post(url(oro_id, "reconfirm"))
    assert again.status_code == 200, again.json()
    data = again.json()
    assert data["state"] == "Open"
    assert data["authorization"]["state"] == "Open"
    assert data["next_action"] == "complete"
    assert data["wallet"] == "read"
    payment = client.get(url(oro_id, "payment")).json()
    assert payment["outcome"] == "authorized" and payment["next_action"] == "complete"


def test_reconfirm_of_a_draft_is_refused(sim: Any, client: Any) -> None:
    oro_id = start_and_set(client, sim)["amazon_order_reference_id"]
    assert_error(client.post(url(oro_id, "reconfirm")), 409, "invalid_state")


def test_amazon_rejected_says_pay_another_way(sim: Any, client: Any) -> None:
    data = confirmed(client, sim, payment_method="decline-amazon-rejected")
    assert data["next_action"] == "pay_another_way"
    payment = client.get(url(data["amazon_order_reference_id"], "payment")).json()
    assert payment["outcome"] == "declined" and payment["next_action"] == "pay_another_way"


def test_payment_before_confirm(sim: Any, client: Any) -> None:
    oro_id = start_and_set(client, sim)["amazon_order_reference_id"]
    payment = client.get(url(oro_id, "payment")).json()
    assert payment == {
        "amazon_order_reference_id": oro_id,
        "order_state": "Draft",
        "outcome": "none",
        "authorization": None,
        "captures": [],
        "next_action": "confirm",
    }


def test_pending_authorization_is_polled(sim: Any, client: Any, settings: Any) -> None:
    configure(settings, sim, TRANSACTION_TIMEOUT=5)
    data = confirmed(client, sim)
    oro_id = data["amazon_order_reference_id"]
    assert data["next_action"] == "wait"
    assert client.get(url(oro_id, "payment")).json()["outcome"] in ("pending", "authorized")
    sim.advance(600)
    payment = client.get(url(oro_id, "payment")).json()
    assert payment["outcome"] == "authorized" and payment["next_action"] == "complete"


def test_cancel_after_confirm(sim: Any, client: Any) -> None:
    oro_id = confirmed(client, sim)["amazon_order_reference_id"]
    response = client.post(url(oro_id, "cancel"), {"reason": "changed my mind"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "Canceled"
    assert response.json()["next_action"] == "start_over"
    assert client.post(url(oro_id, "cancel")).json()["state"] == "Canceled"


def test_cancel_a_draft_is_refused(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    assert_error(client.post(url(oro_id, "cancel")), 409, "invalid_state")
