"""Idempotency-Key: a retry gets the first answer and nothing runs twice."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from django_amazonpay.api.idempotency import KEY_TTL
from django_amazonpay.models import Authorization, IdempotencyKey, OrderReference
from tests.api import resolver
from tests.api.conftest import TOKEN, assert_error, start, start_and_set, url

pytestmark = pytest.mark.django_db


def test_set_order_replayed(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    first = client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json",
                        HTTP_IDEMPOTENCY_KEY="k-1")  # fmt: skip
    second = client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json",
                         HTTP_IDEMPOTENCY_KEY="k-1")  # fmt: skip
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert len(resolver.SEEN) == 1  # the resolver (and Amazon) ran once


def test_confirm_replayed_authorizes_once(sim: Any, client: Any) -> None:
    oro_id = start_and_set(client, sim)["amazon_order_reference_id"]
    answers = [client.post(url(oro_id, "confirm"), HTTP_IDEMPOTENCY_KEY="c") for _ in range(3)]
    assert {a.status_code for a in answers} == {200}
    assert answers[0].json() == answers[2].json()
    assert Authorization.objects.count() == 1


def test_errors_are_replayed_too(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    for _ in range(2):
        response = client.post(url(oro_id, "order"), {"order_id": "missing"}, format="json",
                               HTTP_IDEMPOTENCY_KEY="m")  # fmt: skip
        assert_error(response, 404, "no_order")
    assert response["Idempotent-Replayed"] == "true"
    assert len(resolver.SEEN) == 1


def test_the_same_key_for_another_request_is_refused(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json", HTTP_IDEMPOTENCY_KEY="x")
    response = client.post(url(oro_id, "order"), {"order_id": "as-dict"}, format="json",
                           HTTP_IDEMPOTENCY_KEY="x")  # fmt: skip
    assert_error(response, 422, "idempotency_key_reused")


def test_a_key_still_in_progress(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    from django_amazonpay.api.idempotency import _fingerprint  # noqa: F401 (documented shape)

    session_key = client.session.session_key
    response = client.post(url(oro_id, "confirm"), HTTP_IDEMPOTENCY_KEY="busy")
    row = IdempotencyKey.objects.get(key="busy")
    # the session key is a credential: stored only as a hash
    assert row.owner == f"session:{hashlib.sha256(session_key.encode()).hexdigest()}"
    assert session_key not in row.owner
    row.response_status = None
    row.save()
    assert response.status_code == 409  # the order was not set: invalid_state, kept
    assert_error(client.post(url(oro_id, "confirm"), HTTP_IDEMPOTENCY_KEY="busy"), 409,
                 "idempotency_key_in_use")  # fmt: skip


@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "ünïcode"])
def test_malformed_keys(sim: Any, client: Any, key: str) -> None:
    body = {"amazon_order_reference_id": sim.create_order_reference()}
    response = client.post(url(), body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert_error(response, 400, "invalid_idempotency_key")


def test_server_errors_are_not_kept(sim: Any, client: Any, monkeypatch: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    calls = []

    def flaky(request: Any, order_id: str) -> Any:
        calls.append(order_id)
        if len(calls) == 1:
            raise RuntimeError("transient")
        return resolver.OrderSnapshot(items=resolver.ITEMS)

    monkeypatch.setattr(resolver, "resolve", flaky)
    body = {"order_id": "A-1"}
    first = client.post(url(oro_id, "order"), body, format="json", HTTP_IDEMPOTENCY_KEY="f")
    assert_error(first, 500, "server_error")
    second = client.post(url(oro_id, "order"), body, format="json", HTTP_IDEMPOTENCY_KEY="f")
    assert second.status_code == 200 and second.json()["amount"] == "7000"


def test_keys_belong_to_their_caller(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    body = {"order_id": "A-1"}
    client.post(url(oro_id, "order"), body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    other = APIClient().post(url(oro_id, "order"), body, format="json",
                             HTTP_IDEMPOTENCY_KEY="shared")  # fmt: skip
    assert_error(other, 404, "no_checkout")  # not the first caller's replayed answer


def test_start_with_a_key(sim: Any, client: Any) -> None:
    body = {"amazon_order_reference_id": sim.create_order_reference(), "access_token": TOKEN}
    first = client.post(url(), body, format="json", HTTP_IDEMPOTENCY_KEY="s")
    second = client.post(url(), body, format="json", HTTP_IDEMPOTENCY_KEY="s")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize(
    "retry",
    [
        b'{"note": "\\u521d\\u58f2\\u308a", "order_id": "A-1"}',  # other order, escapes
        b'{\n  "order_id" : "A-1",\n  "note" : "\xe5\x88\x9d\xe5\xa3\xb2\xe3\x82\x8a"\n}\n',
        b'{"order_id":"A-1","note":"x","note":"\xe5\x88\x9d\xe5\xa3\xb2\xe3\x82\x8a"}',  # last wins
    ],
)
def test_the_same_json_written_otherwise_is_the_same_request(
    sim: Any, client: Any, retry: bytes
) -> None:
    """A JSON body is matched by its meaning, as the API reads it, not byte for byte."""
    oro_id = start(client, sim)["amazon_order_reference_id"]
    path, key = url(oro_id, "order"), {"HTTP_IDEMPOTENCY_KEY": "same-meaning"}
    first = client.generic(
        "POST", path, '{"order_id": "A-1", "note": "初売り"}'.encode(), "application/json", **key
    )
    again = client.generic("POST", path, retry, "application/json; charset=utf-8", **key)
    assert first.status_code == again.status_code == 200, again.content
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert len(resolver.SEEN) == 1


@pytest.mark.parametrize(
    ("retry", "content_type"),
    [
        (b'{"order_id": "A-2", "note": "x"}', "application/json"),  # another value
        (b'{"order_id": "A-1"}', "application/json"),  # a field less
        (b'{"order_id": "A-1", "note": "x", "n": 1}', "application/json"),  # a field more
        (b'{"order_id": ["A-1"], "note": "x"}', "application/json"),  # another type
        (b'{"note":"x","order_id":"A-1"}', "text/plain"),  # the same bytes, another type
    ],
)
def test_json_with_another_meaning_is_another_request(
    sim: Any, client: Any, retry: bytes, content_type: str
) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    path, key = url(oro_id, "order"), {"HTTP_IDEMPOTENCY_KEY": "other-meaning"}
    first = client.generic(
        "POST", path, b'{"note":"x","order_id":"A-1"}', "application/json", **key
    )
    assert first.status_code == 200
    assert_error(
        client.generic("POST", path, retry, content_type, **key), 422, "idempotency_key_reused"
    )


def test_bodies_that_are_not_json_are_matched_byte_for_byte(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    path, key = url(oro_id, "cancel"), {"HTTP_IDEMPOTENCY_KEY": "raw"}
    first = client.generic("POST", path, b"{not json", "application/json", **key)
    assert_error(first, 400, "invalid_json")
    again = client.generic("POST", path, b"{not json", "application/json", **key)
    assert again["Idempotent-Replayed"] == "true"
    other = client.generic("POST", path, b"{not  json", "application/json", **key)
    assert_error(other, 422, "idempotency_key_reused")


def test_stored_answers_hold_no_personal_data_and_replays_have_it(sim: Any, client: Any) -> None:
    """The buyer's name, email, address and phone are not kept with the key: a replay takes
    them from the order reference, as the first answer did."""
    oro_id = start(client, sim)["amazon_order_reference_id"]
    key = {"HTTP_IDEMPOTENCY_KEY": "pii"}
    first = client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json", **key)
    assert first.json()["buyer"]["email"] and first.json()["destination"]["phone"]
    stored = IdempotencyKey.objects.get(key="pii").response_body
    oro = OrderReference.objects.get(amazon_order_reference_id=oro_id)
    text = json.dumps(stored, ensure_ascii=False)
    address = [v for k, v in oro.destination.items() if k != "country_code"]  # "JP" in "JPY"
    for value in (oro.buyer_name, oro.buyer_email, *address):
        assert value and value not in text, value
    assert stored["amount"] == first.json()["amount"]  # the rest is kept
    again = client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json", **key)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


def test_a_replay_after_the_personal_data_purge_has_none(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    key = {"HTTP_IDEMPOTENCY_KEY": "purged"}
    first = client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json", **key)
    call_command("purge_amazon_pay_personal_data", "--days", "0", stdout=StringIO())
    again = client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json", **key)
    assert again["Idempotent-Replayed"] == "true"
    assert (again.json()["buyer"], again.json()["destination"]) == ({"name": "", "email": ""}, {})
    assert again.json()["amount"] == first.json()["amount"]


def test_expired_keys_are_purged_by_the_purge_command(sim: Any, client: Any) -> None:
    """Keys are forgotten after KEY_TTL even when no keyed request comes to sweep them."""
    oro_id = start(client, sim)["amazon_order_reference_id"]
    for key in ("old-1", "old-2", "fresh"):
        client.post(url(oro_id, "confirm"), HTTP_IDEMPOTENCY_KEY=key)
    expired = timezone.now() - KEY_TTL - timedelta(minutes=1)
    IdempotencyKey.objects.filter(key__startswith="old").update(created_at=expired)
    out = StringIO()
    call_command("purge_amazon_pay_personal_data", "--dry-run", stdout=out)
    assert "2 idempotency key(s) would be deleted" in out.getvalue()
    assert IdempotencyKey.objects.count() == 3
    call_command("purge_amazon_pay_personal_data", stdout=out)
    assert "2 idempotency key(s) deleted" in out.getvalue()
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
