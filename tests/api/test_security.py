"""A checkout belongs to whoever started it; CSRF on every POST; throttles."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from rest_framework.test import APIClient

from tests.api.conftest import TOKEN, assert_error, configure, confirmed, start, start_and_set, url

pytestmark = pytest.mark.django_db
STEPS = [("get", ""), ("post", "order"), ("post", "confirm"), ("post", "reconfirm"),
         ("get", "payment"), ("post", "cancel")]  # fmt: skip


def _call(client: APIClient, method: str, oro_id: str, step: str) -> Any:
    body = {"order_id": "A-1"} if step == "order" else {}
    return getattr(client, method)(url(oro_id, step), body, format="json")


@pytest.mark.parametrize(("method", "step"), STEPS)
def test_another_session_gets_404_on_every_step(sim: Any, client: Any, method: str, step: str):
    oro_id = confirmed(client, sim)["amazon_order_reference_id"]
    stranger = APIClient()
    stranger.get(url())  # has a session of its own
    assert_error(_call(stranger, method, oro_id, step), 404, "no_checkout")
    assert client.get(url(oro_id)).json()["state"] == "Open"  # untouched


@pytest.mark.parametrize(("method", "step"), STEPS)
def test_an_unknown_id_is_the_same_404(sim: Any, client: Any, method: str, step: str) -> None:
    assert_error(_call(client, method, "S03-0000000-0000000", step), 404, "no_checkout")


def test_another_session_cannot_start_the_same_order_reference(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    body = {"amazon_order_reference_id": oro_id, "access_token": TOKEN}
    assert_error(APIClient().post(url(), body, format="json"), 404, "no_checkout")


def test_a_signed_in_user_owns_the_checkout_across_sessions(sim: Any, client: Any) -> None:
    users = get_user_model().objects
    buyer, other = users.create_user("buyer"), users.create_user("other")
    client.force_authenticate(buyer)
    oro_id = start_and_set(client, sim)["amazon_order_reference_id"]
    same_user = APIClient()
    same_user.force_authenticate(buyer)
    assert same_user.get(url(oro_id)).status_code == 200
    someone_else = APIClient()
    someone_else.force_authenticate(other)
    assert_error(someone_else.get(url(oro_id)), 404, "no_checkout")


def _csrf_client() -> tuple[APIClient, str]:
    client = APIClient(enforce_csrf_checks=True)
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    return client, _mask_cipher_secret(secret)


def test_csrf_is_checked_for_anonymous_buyers(sim: Any) -> None:
    client, token = _csrf_client()
    body = {"amazon_order_reference_id": sim.create_order_reference(), "access_token": TOKEN}
    assert_error(client.post(url(), body, format="json"), 403, "csrf_failed")
    response = client.post(url(), body, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


def test_csrf_is_checked_for_signed_in_users(sim: Any) -> None:
    client, token = _csrf_client()
    client.force_login(get_user_model().objects.create_user("buyer"))
    body = {"amazon_order_reference_id": sim.create_order_reference(), "access_token": TOKEN}
    assert_error(client.post(url(), body, format="json"), 403, "csrf_failed")
    assert client.post(url(), body, format="json", HTTP_X_CSRFTOKEN=token).status_code == 201


def test_reads_need_no_csrf_token(sim: Any) -> None:
    client, token = _csrf_client()
    body = {"amazon_order_reference_id": sim.create_order_reference(), "access_token": TOKEN}
    oro_id = client.post(url(), body, format="json", HTTP_X_CSRFTOKEN=token).json()[
        "amazon_order_reference_id"
    ]
    assert client.get(url(oro_id)).status_code == 200


def test_writes_are_throttled(sim: Any, client: Any, settings: Any) -> None:
    configure(settings, sim, API_WRITE_RATE="3/minute")
    oro_id = start(client, sim)["amazon_order_reference_id"]
    for _ in range(3):  # the start counted for the address: no session yet
        client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json")
    response = client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert client.get(url(oro_id)).status_code == 200  # reads have their own rate


def test_reads_are_throttled(sim: Any, client: Any, settings: Any) -> None:
    configure(settings, sim, API_READ_RATE="2/minute")
    oro_id = start(client, sim)["amazon_order_reference_id"]
    client.get(url(oro_id))
    client.get(url(oro_id))
    assert_error(client.get(url(oro_id)), 429, "throttled")


def test_throttles_can_be_turned_off(sim: Any, client: Any, settings: Any) -> None:
    configure(settings, sim, API_READ_RATE=None)
    oro_id = start(client, sim)["amazon_order_reference_id"]
    for _ in range(5):
        assert client.get(url(oro_id, "payment")).status_code == 200
