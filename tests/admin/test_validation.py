"""Bad input: the error is shown on the confirmation page and nothing is written or sent."""

from __future__ import annotations

import pytest

from django_amazonpay.models import Capture, MwsCall, Refund

from .conftest import admin_url, messages_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("-100", "Enter an amount greater than zero."),
        ("0", "Enter an amount greater than zero."),
        ("6501", "At most 6,500 JPY can be captured on this authorization."),
        ("100.5", "JPY amounts have no decimals."),
        ("abc", "Enter a number."),
        ("", "This field is required."),
    ],
)
def test_bad_capture_amount(staff, authorized, sim, amount, error) -> None:
    auth = authorized()
    calls = MwsCall.objects.count()
    response = staff.post(
        admin_url("orderreference_capture", auth.order_reference_id),
        {"authorization": auth.pk, "amount": amount},
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Capture.objects.exists()
    assert MwsCall.objects.count() == calls
    assert sim.get_object(auth.amazon_authorization_id)["id_list"] == []


def test_capture_of_another_orders_authorization_is_refused(staff, authorized) -> None:
    mine, other = authorized(), authorized()
    response = staff.post(
        admin_url("orderreference_capture", mine.order_reference_id),
        {"authorization": other.pk, "amount": "100"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Capture.objects.exists()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"amount": "-1"}, "Enter an amount greater than zero."),
        ({"amount": "0"}, "Enter an amount greater than zero."),
        ({"amount": "10.25"}, "JPY amounts have no decimals."),
        ({}, "Enter an amount or choose at least one item."),
        ({"amount": "100", "item": "1"}, "Enter an amount or choose items, not both."),
        ({"item": "3"}, "Ensure this value is less than or equal to 2."),
        ({"item": "-1"}, "Ensure this value is greater than or equal to 0."),
    ],
)
def test_bad_refund_input(staff, captured, data, error) -> None:
    cap = captured()
    tshirt = cap.order_reference.items.get(sku="T-1")
    post = {"capture": cap.pk}
    if "amount" in data:
        post["amount"] = data["amount"]
    if "item" in data:
        post[f"item_{tshirt.pk}"] = data["item"]
    calls = MwsCall.objects.count()
    response = staff.post(admin_url("capture_refund", cap.pk), post)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Refund.objects.exists()
    assert MwsCall.objects.count() == calls


def test_refund_over_amazons_limit_shows_the_services_refusal(staff, captured) -> None:
    cap = captured()  # 6,500 JPY: at most 6,500 + 15 % may be refunded (spec 3.7)
    calls = MwsCall.objects.count()
    response = staff.post(
        admin_url("capture_refund", cap.pk), {"capture": cap.pk, "amount": "8000"}
    )
    assert response.status_code == 200
    assert any(m.startswith("Nothing was done:") for m in messages_of(response))
    assert "8000" in response.content.decode()
    assert not Refund.objects.exists()
    assert MwsCall.objects.count() == calls
