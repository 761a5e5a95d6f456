"""List and change pages make the same number of queries for 5 rows as for 50."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_amazonpay.models import Authorization, Capture, OrderReference, Refund

from .conftest import admin_url
from .factories import order_with_payments

pytestmark = pytest.mark.django_db

LISTS = ["orderreference", "authorization", "capture", "refund", "statetransition", "mwscall"]


def count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def superuser_client(admin_client: Any) -> Any:
    admin_client.get(admin_url("orderreference_changelist"))  # session and user warmed up
    return admin_client


@pytest.mark.parametrize("model", LISTS)
def test_list_query_count_is_constant(superuser_client, django_assert_num_queries, model) -> None:
    for n in range(5):
        order_with_payments(n)
    url = admin_url(f"{model}_changelist")
    few = count_queries(superuser_client, url)
    for n in range(5, 50):
        order_with_payments(n)
    with django_assert_num_queries(few):
        response = superuser_client.get(url)
    assert response.context["cl"].result_count >= 50


@pytest.mark.parametrize("model", ["orderreference", "authorization", "capture", "refund"])
def test_change_query_count_is_constant(superuser_client, django_assert_num_queries, model) -> None:
    small = order_with_payments(1, children=5)
    large = order_with_payments(2, children=50)

    def page(oro: OrderReference) -> str:
        obj = {
            "orderreference": oro,
            "authorization": Authorization.objects.filter(order_reference=oro).last(),
            "capture": Capture.objects.filter(order_reference=oro).last(),
            "refund": Refund.objects.filter(order_reference=oro).last(),
        }[model]
        return admin_url(f"{model}_change", obj.pk)

    small_url, large_url = page(small), page(large)
    count_queries(superuser_client, small_url)  # content types cached
    few = count_queries(superuser_client, small_url)
    with django_assert_num_queries(few):
        response = superuser_client.get(large_url)
    if model == "orderreference":
        assert len(response.context["amazonpay_timeline"]) == 1 + 3 * 50


def test_staff_change_page_query_count_is_constant(make_staff, django_assert_num_queries) -> None:
    client = make_staff("capture_payment", "refund_payment", "refresh_from_amazon")
    small = order_with_payments(1, children=5)
    large = order_with_payments(2, children=50)
    count_queries(client, admin_url("orderreference_change", small.pk))  # content types cached
    few = count_queries(client, admin_url("orderreference_change", small.pk))
    with django_assert_num_queries(few):
        client.get(admin_url("orderreference_change", large.pk))
