"""Each button behind its own permission: without it, no button, 403, nothing sent."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from django_amazonpay.models import Capture, MwsCall

from .conftest import ALL_ACTIONS, admin_url

pytestmark = pytest.mark.django_db

#: (page, action URL, permission codename)
ACTIONS = [
    ("orderreference", "capture", "capture_payment"),
    ("orderreference", "close", "close_orderreference"),
    ("orderreference", "cancel", "cancel_orderreference"),
    ("orderreference", "refresh", "refresh_from_amazon"),
    ("authorization", "capture", "capture_payment"),
    ("authorization", "close_authorization", "close_authorization"),
    ("authorization", "refresh", "refresh_from_amazon"),
]


def test_staff_without_capture_permission_cannot_capture(make_staff, authorized, sim) -> None:
    auth = authorized()
    others = [codename for codename in ALL_ACTIONS if codename != "capture_payment"]
    client = make_staff(*others)
    oro_id = auth.order_reference_id
    page = client.get(admin_url("orderreference_change", oro_id))
    assert page.status_code == 200
    labels = [str(b["label"]) for b in page.context["amazonpay_buttons"]]
    assert "Capture" not in labels and "Close" in labels
    calls = MwsCall.objects.count()
    for url in (
        admin_url("orderreference_capture", oro_id),
        admin_url("authorization_capture", auth.pk),
    ):
        assert client.get(url).status_code == 403
        response = client.post(url, {"authorization": auth.pk, "amount": "6500"})
        assert response.status_code == 403
    assert not Capture.objects.exists()
    assert MwsCall.objects.count() == calls
    at_amazon = sim.get_object(auth.amazon_authorization_id)
    assert (at_amazon["state"], at_amazon["id_list"]) == ("Open", [])


@pytest.mark.parametrize(("model", "action", "codename"), ACTIONS)
def test_each_action_needs_its_own_permission(
    make_staff, authorized, model, action, codename
) -> None:
    auth = authorized()
    obj = auth.order_reference if model == "orderreference" else auth
    url = admin_url(f"{model}_{action}", obj.pk)
    without = make_staff(*(c for c in ALL_ACTIONS if c != codename), username="without")
    assert without.get(url).status_code == 403
    assert without.post(url, {}).status_code == 403
    with_it = make_staff(codename, username="with")
    assert with_it.get(url).status_code == 200


@pytest.mark.parametrize("model", ["orderreference", "capture"])
def test_refund_needs_its_permission(make_staff, captured, model) -> None:
    cap = captured()
    obj = cap.order_reference if model == "orderreference" else cap
    url = admin_url(f"{model}_refund", obj.pk)
    without = make_staff(*(c for c in ALL_ACTIONS if c != "refund_payment"))
    assert without.get(url).status_code == 403
    assert without.post(url, {"capture": cap.pk, "amount": "100"}).status_code == 403
    assert not cap.refunds.exists()


def test_view_only_staff_sees_the_pages_but_no_buttons(make_staff, authorized) -> None:
    auth = authorized()
    client = make_staff()
    response = client.get(admin_url("orderreference_change", auth.order_reference_id))
    assert response.status_code == 200
    assert response.context["amazonpay_buttons"] == []


def test_action_permission_without_view_permission_is_refused(authorized) -> None:
    from django.contrib.auth.models import Permission

    auth = authorized()
    user = User.objects.create_user("nosight", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get_or_create(
            content_type_id=Permission.objects.filter(codename="view_orderreference")
            .get()
            .content_type_id,
            codename="capture_payment",
            defaults={"name": "capture"},
        )[0]
    )
    client = Client()
    client.force_login(user)
    url = admin_url("orderreference_capture", auth.order_reference_id)
    assert client.get(url).status_code == 403


def test_anonymous_is_sent_to_login(client, authorized) -> None:
    auth = authorized()
    url = admin_url("orderreference_capture", auth.order_reference_id)
    response = client.post(url, {"authorization": auth.pk, "amount": "6500"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not Capture.objects.exists()


def test_the_confirmation_post_needs_a_csrf_token(authorized) -> None:
    auth = authorized()
    user = User.objects.create_superuser("boss")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = admin_url("orderreference_capture", auth.order_reference_id)
    response = client.post(url, {"authorization": auth.pk, "amount": "6500"})
    assert response.status_code == 403
    assert not Capture.objects.exists()
