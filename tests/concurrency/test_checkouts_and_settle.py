"""Many checkouts at once, confirm races through the API, and two settle workers at once.

PostgreSQL only (see conftest). Each checkout is checked against the simulator's objects and
against the transitions a checkout alone records, so an update lost under load shows.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connections
from rest_framework.test import APIClient

from django_amazonpay import services
from django_amazonpay.models import Authorization, Capture, OrderReference, StateTransition
from django_amazonpay.services import settling
from tests.api.conftest import serve_test_api
from tests.services.conftest import TOTAL, draft, with_details

from .conftest import errors, race

pytestmark = pytest.mark.django_db(transaction=True)

API = "/amazon-pay/api/checkouts/"


#: PostgreSQL here allows 100 connections (a few are taken by others); a deployment puts a
#: pool (pgbouncer, Django's psycopg pool) in front: so does this, for 100 checkouts in flight
POOL = threading.BoundedSemaphore(60)


@contextlib.contextmanager
def pooled() -> Any:
    """One step holds a pooled connection; the checkout keeps none between its steps."""
    with POOL:
        try:
            yield
        finally:
            connections.close_all()


def full_checkout(sim: Any, i: int) -> OrderReference:
    with pooled():
        oro = with_details(draft(sim), seller_order_id=f"LOAD-{i:04d}")
    with pooled():
        oro = services.confirm(oro)
    with pooled():
        result = services.authorize(oro, synchronous=True)
    assert result.outcome == "authorized", result
    with pooled():
        assert services.capture(result.authorization).outcome == "completed"
    with pooled():
        return services.close_order(oro)


def transitions_of(oro: OrderReference) -> list[tuple[str, str, str]]:
    return sorted(
        StateTransition.objects.filter(order_reference=oro).values_list(
            "object_kind", "from_state", "to_state"
        )
    )


def assert_mirrors(sim: Any, oro: OrderReference) -> None:
    oro.refresh_from_db()
    remote = sim.get_object(oro.amazon_order_reference_id)
    assert (oro.state, oro.amount) == (remote["state"], Decimal(remote["order_total"]))
    (auth,) = Authorization.objects.filter(order_reference=oro)
    assert remote["id_list"] == [auth.amazon_authorization_id]
    remote_auth = sim.get_object(auth.amazon_authorization_id)
    assert auth.state == remote_auth["state"]
    (cap,) = Capture.objects.filter(order_reference=oro)
    assert remote_auth["id_list"] == [cap.amazon_capture_id]
    assert (cap.state, cap.amount) == ("Completed", TOTAL)


def test_100_concurrent_checkouts_through_the_services(sim) -> None:
    reference = transitions_of(full_checkout(sim, 9999))  # one checkout alone
    results = race(100, lambda i: full_checkout(sim, i), timeout=300)
    assert not errors(results), errors(results)[:3]
    assert len({oro.pk for oro in results}) == 100
    for oro in results:
        assert oro.state == "Closed"
        assert_mirrors(sim, oro)
        assert transitions_of(oro) == reference, oro
    assert OrderReference.objects.count() == 101
    assert Capture.objects.filter(state="Completed").count() == 101
    assert len(sim.engine.store.captures) == 101
    print("\n[concurrency] 100 checkouts through the services: all Closed, all mirrored")


@pytest.fixture
def api(settings: Any, sim: Any) -> Any:
    serve_test_api(settings, sim)
    return sim


def api_checkout(sim: Any, client: APIClient) -> dict[str, Any]:
    oro_id = sim.create_order_reference()
    with pooled():
        r = client.post(
            API, {"amazon_order_reference_id": oro_id, "access_token": "Atza|t"}, format="json"
        )
    assert r.status_code == 201, r.content
    with pooled():
        r = client.post(f"{API}{oro_id}/order/", {"order_id": "A-1"}, format="json")
    assert r.status_code == 200, r.content
    with pooled():
        r = client.post(f"{API}{oro_id}/confirm/")
    assert r.status_code == 200, r.content
    return r.json()


def test_100_concurrent_checkouts_through_the_api(api) -> None:
    clients = [APIClient() for _ in range(100)]
    results = race(100, lambda i: api_checkout(api, clients[i]), timeout=300)
    assert not errors(results), errors(results)[:3]
    ids = {body["amazon_order_reference_id"] for body in results}
    assert len(ids) == 100
    for oro in OrderReference.objects.all():
        remote = api.get_object(oro.amazon_order_reference_id)
        assert (oro.state, oro.amount) == (remote["state"], Decimal(remote["order_total"]))
        (auth,) = Authorization.objects.filter(order_reference=oro)
        assert remote["id_list"] == [auth.amazon_authorization_id]
        assert auth.state == api.get_object(auth.amazon_authorization_id)["state"] == "Open"
    print("\n[concurrency] 100 checkouts through the API: all Open and authorized once")


def test_50_concurrent_confirms_of_one_checkout_authorize_once(api) -> None:
    """The storefront's confirm button pressed 50 times at once by one buyer (one session)."""
    first = APIClient()
    oro_id = api.create_order_reference()
    r = first.post(
        API, {"amazon_order_reference_id": oro_id, "access_token": "Atza|t"}, format="json"
    )
    assert r.status_code == 201, r.content
    r = first.post(f"{API}{oro_id}/order/", {"order_id": "A-1"}, format="json")
    assert r.status_code == 200, r.content
    clients = []
    for _ in range(50):
        client = APIClient()
        client.cookies = first.cookies  # the same buyer's session
        clients.append(client)
    responses = race(50, lambda i: clients[i].post(f"{API}{oro_id}/confirm/"))
    assert not errors(responses), errors(responses)[:3]
    statuses = Counter(r.status_code for r in responses)
    assert 500 not in statuses, statuses
    for r in responses:
        if r.status_code != 200:
            assert set(r.json()) == {"error", "error_description"}, r.json()
    assert Authorization.objects.count() == 1
    assert len(api.engine.store.authorizations) == 1
    print(f"\n[concurrency] 50 confirms of one checkout: statuses {dict(statuses)}")


# -- two settle workers ------------------------------------------------------------------------
def pending_authorizations(sim: Any, open_order: Any, n: int) -> list[Authorization]:
    auths = []
    for _ in range(n):
        result = services.authorize(open_order(), synchronous=False)
        assert result.outcome == "pending"
        auths.append(result.authorization)
    sim.advance(timedelta(minutes=5))  # Amazon settles them: Open
    return auths


def assert_settled_once(auths: list[Authorization]) -> None:
    for auth in auths:
        auth.refresh_from_db()
        assert auth.state == "Open"
        opened = StateTransition.objects.filter(
            authorization=auth, from_state="Pending", to_state="Open"
        )
        assert opened.count() == 1, list(opened.values())


def test_two_settle_workers_apply_each_transition_once(sim, open_order) -> None:
    auths = pending_authorizations(sim, open_order, 20)
    reports = race(2, lambda i: settling.settle_pending(limit=100))
    assert not errors(reports), errors(reports)
    assert sum(r.changed for r in reports) == 20
    assert_settled_once(auths)
    print(f"\n[concurrency] two settle workers: {[r.as_dict() for r in reports]}")


def test_two_settle_workers_without_claims_still_apply_once(
    sim, open_order, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even if both workers poll the same objects, the row lock and the comparison under it
    in apply_details record each observed transition once."""

    @contextlib.contextmanager
    def always(key: str, ttl: int = 0) -> Any:
        yield True

    monkeypatch.setattr(settling, "claim", always)
    auths = pending_authorizations(sim, open_order, 20)
    reports = race(2, lambda i: settling.settle_pending(limit=100))
    assert not errors(reports), errors(reports)
    assert_settled_once(auths)
    print(f"\n[concurrency] two settle workers, no claims: {[r.as_dict() for r in reports]}")
