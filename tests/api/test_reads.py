"""Reads of Amazon that GETs make: at most one per Amazon object per window, for all callers
together, and per client address within API_AMAZON_READ_RATE (docs/api.md, Reads of Amazon).

Time is the simulator's clock (tests/api/conftest.py: follow_simulator_clock), moved on with
sim.advance.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from django_amazonpay.api.reads import READ_WINDOW
from django_amazonpay.models import MwsCall, OrderReference
from tests.api.conftest import TOKEN, configure, start, start_and_set, url

pytestmark = pytest.mark.django_db


def reads_of(object_id: str, operation: str = "GetOrderReferenceDetails") -> int:
    """Requests sent to Amazon for `object_id` (not those our own bucket kept back)."""
    return (
        MwsCall.objects.filter(operation=operation, object_id=object_id)
        .exclude(outcome="throttled")
        .count()
    )


def test_a_draft_is_read_once_per_window_whatever_the_number_of_gets(sim: Any, client: Any) -> None:
    oro_id = start(client, sim, address={})["amazon_order_reference_id"]
    before = reads_of(oro_id)
    answers = [client.get(url(oro_id)).json() for _ in range(20)]
    assert reads_of(oro_id) == before + 1
    # every answer has what the one read found, not an empty list
    assert {a["next_action"] for a in answers} == {"choose_address"}
    assert all("ShippingAddressNotSet" in {c["id"] for c in a["constraints"]} for a in answers)
    sim.engine.set_address(oro_id, {"City": "渋谷区", "StateOrRegion": "東京都",
                                    "PostalCode": "1500001", "CountryCode": "JP"})  # fmt: skip
    assert client.get(url(oro_id)).json()["next_action"] == "choose_address"  # same window
    sim.advance(READ_WINDOW)
    data = client.get(url(oro_id)).json()
    assert "ShippingAddressNotSet" not in {c["id"] for c in data["constraints"]}
    assert reads_of(oro_id) == before + 2


def test_the_shops_own_step_is_seen_by_the_next_get_at_once(sim: Any, client: Any) -> None:
    """What was read before the app saved the checkout is not reused after: set the order,
    and the next GET reads again, inside the same window."""
    oro_id = start(client, sim)["amazon_order_reference_id"]
    assert client.get(url(oro_id)).json()["next_action"] == "set_order"  # AmountNotSet
    assert client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json").status_code == 200
    data = client.get(url(oro_id)).json()
    assert (data["constraints"], data["next_action"]) == ([], "confirm")


def test_a_pending_payment_is_polled_once_per_window(sim: Any, client: Any, settings: Any) -> None:
    configure(settings, sim, TRANSACTION_TIMEOUT=5)
    oro_id = start_and_set(client, sim)["amazon_order_reference_id"]
    assert client.post(url(oro_id, "confirm")).json()["next_action"] == "wait"
    auth_id = OrderReference.objects.get(amazon_order_reference_id=oro_id).authorizations.get()
    auth_id = auth_id.amazon_authorization_id
    for window in range(3):
        for _ in range(10):
            payment = client.get(url(oro_id, "payment")).json()
            assert (payment["outcome"], payment["next_action"]) == ("pending", "wait")
        assert reads_of(auth_id, "GetAuthorizationDetails") == window + 1
        sim.advance(READ_WINDOW)
    sim.advance(600)  # Amazon decided meanwhile
    payment = client.get(url(oro_id, "payment")).json()
    assert (payment["outcome"], payment["next_action"]) == ("authorized", "complete")


def test_the_reads_of_one_address_are_bounded_whatever_its_sessions(
    sim: Any, settings: Any
) -> None:
    """Each session owns a Draft of its own (five windows' worth of gates): the address's
    API_AMAZON_READ_RATE still bounds what they read; the others answer from the mirror."""
    configure(settings, sim, API_AMAZON_READ_RATE="3/minute")
    sessions = []
    for _ in range(5):
        client = APIClient(REMOTE_ADDR="203.0.113.66")
        sessions.append((client, start(client, sim)["amazon_order_reference_id"]))
    before = MwsCall.objects.count()
    answers = [client.get(url(oro_id)) for client, oro_id in sessions]
    assert [a.status_code for a in answers] == [200] * 5
    assert [a.json()["next_action"] for a in answers] == ["set_order"] * 5
    assert MwsCall.objects.count() == before + 3
    # another address reads as before
    other = APIClient(REMOTE_ADDR="198.51.100.7")
    oro_id = start(other, sim)["amazon_order_reference_id"]
    before = reads_of(oro_id)
    assert other.get(url(oro_id)).status_code == 200
    assert reads_of(oro_id) == before + 1


def test_amazon_unavailable_answers_from_what_the_last_read_found(sim: Any, client: Any) -> None:
    oro_id = start(client, sim, address={})["amazon_order_reference_id"]
    assert client.get(url(oro_id)).json()["next_action"] == "choose_address"
    sim.advance(READ_WINDOW)
    sim.faults.inject("GetOrderReferenceDetails", "http_500")
    response = client.get(url(oro_id))
    assert response.status_code == 200
    assert response.json()["next_action"] == "choose_address"


def test_amazon_unavailable_while_polling_answers_from_the_mirror(
    sim: Any, client: Any, settings: Any
) -> None:
    configure(settings, sim, TRANSACTION_TIMEOUT=5)
    oro_id = start_and_set(client, sim)["amazon_order_reference_id"]
    client.post(url(oro_id, "confirm"))
    sim.faults.inject("GetAuthorizationDetails", "http_500")
    response = client.get(url(oro_id, "payment"))
    assert response.status_code == 200
    assert (response.json()["outcome"], response.json()["next_action"]) == ("pending", "wait")


def test_a_signed_in_buyers_sessions_share_the_window(sim: Any, django_user_model: Any) -> None:
    """The gate is the Amazon object's, not the caller's: a second session of the same user
    (another tab, another device) reads nothing new inside the window."""
    user = django_user_model.objects.create_user("buyer", password="x")
    first, second = APIClient(), APIClient()
    first.force_login(user)
    second.force_login(user)
    oro_id = sim.create_order_reference()
    body = {"amazon_order_reference_id": oro_id, "access_token": TOKEN}
    assert first.post(url(), body, format="json").status_code == 201
    before = reads_of(oro_id)
    assert first.get(url(oro_id)).status_code == second.get(url(oro_id)).status_code == 200
    assert reads_of(oro_id) == before + 1
