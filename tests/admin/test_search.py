"""Search by every Amazon id, reference id, seller order id and email; filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from django_amazonpay.models import Authorization, Capture, MwsCall, OrderReference, Refund

from .conftest import admin_url
from .factories import order_with_payments

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(db):
    wanted = order_with_payments(1, email="hanako@example.jp")
    other = order_with_payments(2, environment="Live")
    return wanted, other


def found(client, model: str, **query: str) -> set[int]:
    response = client.get(admin_url(f"{model}_changelist", **query))
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def ids_of(oro: OrderReference) -> dict[str, str]:
    auth = Authorization.objects.get(order_reference=oro)
    cap = Capture.objects.get(order_reference=oro)
    ref = Refund.objects.get(order_reference=oro)
    return {
        "order reference id": oro.amazon_order_reference_id,
        "seller order id": oro.seller_order_id,
        "buyer email": oro.buyer_email,
        "authorization id": auth.amazon_authorization_id,
        "authorization reference id": auth.authorization_reference_id,
        "capture id": cap.amazon_capture_id,
        "capture reference id": cap.capture_reference_id,
        "refund id": ref.amazon_refund_id,
        "refund reference id": ref.refund_reference_id,
    }


@pytest.mark.parametrize(
    "which",
    [
        "order reference id",
        "seller order id",
        "buyer email",
        "authorization id",
        "authorization reference id",
        "capture id",
        "capture reference id",
        "refund id",
        "refund reference id",
    ],
)
def test_order_references_are_found_by_every_id(admin_client, orders, which) -> None:
    wanted, _other = orders
    assert found(admin_client, "orderreference", q=ids_of(wanted)[which]) == {wanted.pk}


@pytest.mark.parametrize(
    ("model", "keys"),
    [
        ("authorization", ["authorization id", "authorization reference id", "capture id"]),
        ("capture", ["capture id", "capture reference id", "authorization id", "refund id"]),
        ("refund", ["refund id", "refund reference id", "capture id"]),
    ],
)
def test_payments_are_found_by_their_ids_and_their_order(admin_client, orders, model, keys) -> None:
    wanted, _other = orders
    ids = ids_of(wanted)
    expected = {
        {"authorization": Authorization, "capture": Capture, "refund": Refund}[model]
        .objects.get(order_reference=wanted)
        .pk
    }
    for key in [*keys, "order reference id", "seller order id", "buyer email"]:
        assert found(admin_client, model, q=ids[key]) == expected, key


def test_transitions_and_calls_are_found(admin_client, orders) -> None:
    wanted, _other = orders
    ids = ids_of(wanted)
    transitions = found(admin_client, "statetransition", q=ids["capture id"])
    assert len(transitions) == 1
    assert found(admin_client, "statetransition", q=ids["seller order id"]) == set(
        wanted.transitions.values_list("pk", flat=True)
    )
    call = MwsCall.objects.get(object_id=ids["authorization id"])
    assert found(admin_client, "mwscall", q=ids["authorization id"]) == {call.pk}
    assert found(admin_client, "mwscall", q=call.request_id) == {call.pk}


def test_filters(admin_client, orders) -> None:
    wanted, other = orders
    OrderReference.objects.filter(pk=other.pk).update(state="Closed")
    OrderReference.objects.filter(pk=wanted.pk).update(
        created_at=timezone.now() - timedelta(days=60)
    )
    assert found(admin_client, "orderreference", state__exact="Closed") == {other.pk}
    assert found(admin_client, "orderreference", release_environment__exact="Live") == {other.pk}
    since = (timezone.now() - timedelta(days=7)).isoformat()
    assert found(admin_client, "orderreference", created_at__gte=since) == {other.pk}
    live_captures = found(
        admin_client, "capture", order_reference__release_environment__exact="Live"
    )
    assert live_captures == {Capture.objects.get(order_reference=other).pk}
    assert found(admin_client, "refund", state__exact="Completed") == set(
        Refund.objects.values_list("pk", flat=True)
    )
    assert len(found(admin_client, "statetransition", object_kind__exact="capture")) == 2
    assert found(admin_client, "mwscall", outcome="ok") == set(
        MwsCall.objects.values_list("pk", flat=True)
    )


def test_filter_sidebar_offers_state_date_and_environment(admin_client, orders) -> None:
    response = admin_client.get(admin_url("orderreference_changelist"))
    titles = [str(spec.title) for spec in response.context["cl"].filter_specs]
    assert titles == ["state", "release environment", "created"]
    for model in ("authorization", "capture", "refund"):
        response = admin_client.get(admin_url(f"{model}_changelist"))
        titles = [str(spec.title) for spec in response.context["cl"].filter_specs]
        assert {"state", "release environment", "created"} <= set(titles), model
