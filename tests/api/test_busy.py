"""Steps on one checkout run one at a time, whoever sends them (docs/api.md, Errors): a
double click or a second tab gets 409 checkout_busy at once, and Amazon hears one call."""

from __future__ import annotations

from typing import Any

import pytest

from django_amazonpay.api.views import one_step_at_a_time
from django_amazonpay.models import Authorization, MwsCall
from tests.api.conftest import TOKEN, assert_error, start, start_and_set, url
from tests.elsewhere import held_elsewhere

pytestmark = pytest.mark.django_db


def test_a_step_while_another_holds_the_checkout_is_409_and_calls_nobody(
    sim: Any, client: Any
) -> None:
    oro_id = start_and_set(client, sim)["amazon_order_reference_id"]
    calls = MwsCall.objects.count()
    with held_elsewhere(lambda: one_step_at_a_time(oro_id)):  # the first click, still with Amazon
        for step in ("confirm", "order", "reconfirm", "cancel"):
            body = {"order_id": "A-1"} if step == "order" else None
            response = client.post(url(oro_id, step), body, format="json")
            assert_error(response, 409, "checkout_busy")
            assert response["Retry-After"] == "1"
    assert MwsCall.objects.count() == calls
    confirmed = client.post(url(oro_id, "confirm"))  # the first is done: the next one runs
    assert confirmed.status_code == 200 and confirmed.json()["next_action"] == "complete"
    assert Authorization.objects.count() == 1
    assert MwsCall.objects.count() > calls  # the call log is on: the count above means it


def test_a_busy_answer_is_not_kept_for_its_idempotency_key(sim: Any, client: Any) -> None:
    oro_id = start_and_set(client, sim)["amazon_order_reference_id"]
    with held_elsewhere(lambda: one_step_at_a_time(oro_id)):
        busy = client.post(url(oro_id, "confirm"), HTTP_IDEMPOTENCY_KEY="click-1")
        assert_error(busy, 409, "checkout_busy")
    retry = client.post(url(oro_id, "confirm"), HTTP_IDEMPOTENCY_KEY="click-1")
    assert retry.status_code == 200 and "Idempotent-Replayed" not in retry


def test_two_sessions_starting_one_id_at_once_never_both_own_it(sim: Any, client: Any) -> None:
    from rest_framework.test import APIClient

    oro_id = sim.create_order_reference()
    other = APIClient(enforce_csrf_checks=False)
    body = {"amazon_order_reference_id": oro_id, "access_token": TOKEN}
    with held_elsewhere(
        lambda: one_step_at_a_time(oro_id)
    ):  # the buyer's own start, still with Amazon
        assert_error(other.post(url(), body, format="json"), 409, "checkout_busy")
    assert client.post(url(), body, format="json").status_code == 201
    assert_error(other.post(url(), body, format="json"), 404, "no_checkout")


def test_another_checkout_is_not_held(sim: Any, client: Any) -> None:
    first = start(client, sim)["amazon_order_reference_id"]
    second = start_and_set(client, sim)["amazon_order_reference_id"]
    with held_elsewhere(lambda: one_step_at_a_time(first)):
        assert client.post(url(second, "confirm")).status_code == 200
