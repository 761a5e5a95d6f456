"""Concurrent clicks on the admin's refund button, and a lock held longer than the database
waits: every answer is a redirect, a page with a message, or the API's 409, never a 500.

Runs on PostgreSQL and on SQLite in a file (test_sqlite_file.py), where SQLite serializes
every writer: the demo's database, with the settings the docs recommend.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from django_amazonpay.models import Capture, OrderReference, Refund
from tests.admin.conftest import admin_url
from tests.api.conftest import serve_test_api

from .conftest import errors, race

pytestmark = pytest.mark.django_db(transaction=True)

N = 20
API = "/amazon-pay/api/checkouts/"
BUSY = "The database was busy with another request for this payment"


def staff_clients(n: int) -> list[Client]:
    user = User.objects.create_superuser("clicker", email="clicker@example.com")
    clients = []
    for _ in range(n):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def messages_after(client: Client, response: Any) -> list[str]:
    page = client.get(response["Location"]) if response.status_code == 302 else response
    return [str(m) for m in page.context["messages"]] if page.context else []


def test_20_refund_clicks_at_once_stay_within_amazons_limit(sim, captured) -> None:
    cap = captured()  # 6,500 JPY: refunds may reach 6,500 + 975 (spec 3.7), so 7 of 1,000
    clients = staff_clients(N)
    url = admin_url("capture_refund", cap.pk)
    responses = race(N, lambda i: clients[i].post(url, {"capture": cap.pk, "amount": "1000"}))
    assert not errors(responses), errors(responses)[:3]
    assert {r.status_code for r in responses} <= {200, 302}, [r.status_code for r in responses]
    refunds = list(Refund.objects.filter(capture=cap).exclude(attempt_state="failed"))
    assert 1 <= len(refunds) <= 7
    assert sum(r.amount for r in refunds) <= Decimal("7475")
    remote = sim.get_object(cap.amazon_capture_id)["id_list"]
    assert sorted(remote) == sorted(r.amazon_refund_id for r in refunds)
    told: set[str] = set()
    for client, response in zip(clients, responses, strict=True):
        texts = messages_after(client, response)
        assert texts or response.status_code == 200, response
        for ref in refunds:
            if any(str(ref) in text for text in texts):
                told.add(str(ref))
    assert told == {str(r) for r in refunds}  # every refund made was reported to someone
    print(f"\n[concurrency] {len(refunds)} refunds from {N} clicks")


@contextmanager
def lock_held_elsewhere(oro: OrderReference) -> Iterator[None]:
    """Another connection holds the write lock (SQLite) or the row lock (PostgreSQL), and
    this test's connection waits only 0.3 s for it."""
    settings = connection.settings_dict
    options = dict(settings["OPTIONS"])
    if connection.vendor == "sqlite":
        other = sqlite3.connect(settings["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        settings["OPTIONS"] = {**options, "timeout": 0.3}
    else:
        import psycopg

        other = psycopg.connect(
            host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
            password=settings["PASSWORD"], dbname=settings["NAME"],
        )  # fmt: skip
        other.execute(
            "SELECT id FROM django_amazonpay_orderreference WHERE id = %s FOR UPDATE", [oro.pk]
        )
        settings["OPTIONS"] = {**options, "options": "-c lock_timeout=300"}
    connection.close()  # the next query connects with the short wait
    try:
        yield
    finally:
        other.rollback()
        other.close()
        settings["OPTIONS"] = options
        connection.close()


def test_a_capture_while_another_request_holds_the_lock_is_a_message(sim, authorized) -> None:
    auth = authorized()
    (client,) = staff_clients(1)
    url = admin_url("authorization_capture", auth.pk)
    with lock_held_elsewhere(auth.order_reference):
        response = client.post(url, {"authorization": auth.pk, "amount": "6500"})
    assert response.status_code == 302
    assert any(BUSY in text for text in messages_after(client, response))
    assert Capture.objects.filter(attempt_state="done").count() == 0
    again = client.post(url, {"authorization": auth.pk, "amount": "6500"})  # lock released
    assert again.status_code == 302
    assert Capture.objects.get().state == "Completed"
    assert len(sim.engine.store.captures) == 1


def test_a_confirm_while_another_request_holds_the_lock_is_a_409(settings, sim) -> None:
    serve_test_api(settings, sim)
    client = APIClient()
    oro_id = sim.create_order_reference()
    started = client.post(
        API, {"amazon_order_reference_id": oro_id, "access_token": "Atza|t"}, format="json"
    )
    assert started.status_code == 201, started.content
    ordered = client.post(f"{API}{oro_id}/order/", {"order_id": "A-1"}, format="json")
    assert ordered.status_code == 200, ordered.content
    oro = OrderReference.objects.get(amazon_order_reference_id=oro_id)
    with lock_held_elsewhere(oro):
        response = client.post(f"{API}{oro_id}/confirm/")
    assert response.status_code == 409, response.content
    assert set(response.json()) == {"error", "error_description"}
    retried = client.post(f"{API}{oro_id}/confirm/")  # lock released: Amazon's state wins
    assert retried.status_code == 200, retried.content
    assert retried.json()["state"] == "Open"
    assert OrderReference.objects.get(pk=oro.pk).authorizations.count() == 1
