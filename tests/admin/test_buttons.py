"""Each button end to end: confirmation POST -> service -> simulator -> page and timeline."""

from __future__ import annotations

from decimal import Decimal

import pytest

from django_amazonpay import services
from django_amazonpay.models import Capture, MwsCall, OrderReference, Refund, StateTransition

from .conftest import admin_url, messages_of

pytestmark = pytest.mark.django_db


def test_capture_from_the_order_reference_then_the_timeline_shows_it(staff, authorized) -> None:
    auth = authorized()
    oro = auth.order_reference
    response = staff.post(
        admin_url("orderreference_capture", oro.pk),
        {"authorization": auth.pk, "amount": "6500", "seller_note": "出荷済み"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == admin_url("orderreference_change", oro.pk)
    cap = Capture.objects.get(authorization=auth)
    assert (cap.state, cap.amount, cap.seller_note) == ("Completed", Decimal("6500"), "出荷済み")
    assert any("Captured 6,500 JPY" in m for m in messages_of(response))
    timeline = response.context["amazonpay_timeline"]
    capture_steps = [(t.object_id, t.to_state) for t in timeline if t.object_kind == "capture"]
    assert (cap.amazon_capture_id, "Completed") in capture_steps
    assert cap.transitions.get(to_state="Completed").source == "admin"
    assert cap.amazon_capture_id in response.content.decode()
    # the authorization's closing (MaxCapturesProcessed) is on the same timeline
    assert any(
        t.object_kind == "authorization" and t.reason_code == "MaxCapturesProcessed"
        for t in timeline
    )
    # caused by the same admin action, and recorded so
    assert auth.transitions.get(reason_code="MaxCapturesProcessed").source == "admin"


def test_partial_capture_from_the_authorization_page(staff, authorized) -> None:
    auth = authorized()
    response = staff.post(
        admin_url("authorization_capture", auth.pk),
        {"authorization": auth.pk, "amount": "4000"},
    )
    assert response.status_code == 302
    assert response["Location"] == admin_url("authorization_change", auth.pk)
    cap = Capture.objects.get(authorization=auth)
    assert (cap.state, cap.amount) == ("Completed", Decimal("4000"))


def test_refund_by_amount(staff, captured, sim) -> None:
    cap = captured()
    response = staff.post(
        admin_url("capture_refund", cap.pk), {"capture": cap.pk, "amount": "1500"}, follow=True
    )
    ref = Refund.objects.get(capture=cap)
    assert (ref.amount, ref.state) == (Decimal("1500"), "Pending")
    assert any("1,500 JPY" in m and "requested" in m for m in messages_of(response))
    assert ref.transitions.get(to_state="Pending").source == "admin"
    sim.advance(60)
    response = staff.post(admin_url("refund_refresh", ref.pk), follow=True)
    ref.refresh_from_db()
    assert ref.state == "Completed"
    assert any("refreshed from Amazon: Completed" in m for m in messages_of(response))


def test_refund_by_items(staff, captured) -> None:
    cap = captured()
    items = list(cap.order_reference.items.order_by("position", "id"))
    tshirt = next(i for i in items if i.sku == "T-1")
    long_tshirt = next(i for i in items if i.sku == "T-2")
    response = staff.post(
        admin_url("orderreference_refund", cap.order_reference_id),
        {"capture": cap.pk, f"item_{tshirt.pk}": "1", f"item_{long_tshirt.pk}": "1"},
        follow=True,
    )
    ref = Refund.objects.get(capture=cap)
    assert ref.amount == Decimal("5000")
    assert sorted((line["order_item"], line["quantity"]) for line in ref.items) == sorted(
        [(tshirt.pk, 1), (long_tshirt.pk, 1)]
    )
    assert any("of 2 items (5,000 JPY)" in m for m in messages_of(response))


def test_close_order_reference(staff, captured) -> None:
    oro = captured().order_reference
    response = staff.post(
        admin_url("orderreference_close", oro.pk), {"reason": "発送完了"}, follow=True
    )
    oro.refresh_from_db()
    assert (oro.state, oro.reason_code, oro.reason_description) == (
        "Closed",
        "SellerClosed",
        "発送完了",
    )
    assert any("closed" in m for m in messages_of(response))
    assert response.context["amazonpay_timeline"][-1].to_state == "Closed"
    assert response.context["amazonpay_timeline"][-1].source == "admin"


def test_cancel_order_reference(staff, authorized) -> None:
    auth = authorized()
    oro = auth.order_reference
    response = staff.post(admin_url("orderreference_cancel", oro.pk), {"reason": ""}, follow=True)
    oro.refresh_from_db()
    auth.refresh_from_db()
    assert oro.state == "Canceled"
    assert (auth.state, auth.reason_code) == ("Closed", "OrderReferenceCanceled")
    assert any("canceled" in m for m in messages_of(response))
    assert oro.transitions.filter(to_state="Canceled").get().source == "admin"


def test_close_authorization(staff, authorized) -> None:
    auth = authorized()
    response = staff.post(
        admin_url("authorization_close_authorization", auth.pk), {"reason": ""}, follow=True
    )
    auth.refresh_from_db()
    assert (auth.state, auth.reason_code) == ("Closed", "SellerClosed")
    assert any("closed" in m for m in messages_of(response))
    assert auth.transitions.filter(to_state="Closed").get().source == "admin"


def test_refresh_order_reference_learns_amazons_change(staff, authorized, sim) -> None:
    from django_amazonpay.client import get_client

    oro = authorized().order_reference
    # the order reference changes at Amazon behind our back
    get_client().close_order_reference(oro.amazon_order_reference_id, reason="elsewhere")
    response = staff.post(admin_url("orderreference_refresh", oro.pk), follow=True)
    oro.refresh_from_db()
    assert oro.state == "Closed"
    transition = StateTransition.objects.filter(order_reference=oro, to_state="Closed").get()
    assert transition.object_kind == "order_reference"
    assert transition.source == "admin"
    assert any("refreshed from Amazon: Closed" in m for m in messages_of(response))


def test_bulk_refresh_action(staff, authorized) -> None:
    auths = [authorized(), authorized()]
    response = staff.post(
        admin_url("orderreference_changelist"),
        {
            "action": "refresh_selected",
            "_selected_action": [a.order_reference_id for a in auths],
        },
        follow=True,
    )
    assert any("2 objects refreshed from Amazon." in m for m in messages_of(response))
    assert OrderReference.objects.filter(state="Open").count() == 2


def test_bulk_refresh_needs_its_permission(make_staff, authorized) -> None:
    oro = authorized().order_reference
    client = make_staff("capture_payment")
    response = client.get(admin_url("orderreference_changelist"))
    assert response.context["action_form"] is None  # no action this user may run
    calls = MwsCall.objects.count()
    client.post(
        admin_url("orderreference_changelist"),
        {"action": "refresh_selected", "_selected_action": [oro.pk]},
    )
    assert MwsCall.objects.count() == calls


def test_refund_then_second_refund_via_order_reference(staff, captured, sim) -> None:
    cap = captured()
    services.refund(cap, amount=1000)
    staff.post(
        admin_url("orderreference_refund", cap.order_reference_id),
        {"capture": cap.pk, "amount": "500"},
    )
    assert sorted(Refund.objects.filter(capture=cap).values_list("amount", flat=True)) == [
        Decimal("500"),
        Decimal("1000"),
    ]


def test_bulk_refresh_of_one_says_one(staff, authorized) -> None:
    auth = authorized()
    response = staff.post(
        admin_url("authorization_changelist"),
        {"action": "refresh_selected", "_selected_action": [auth.pk]},
        follow=True,
    )
    assert "1 object refreshed from Amazon." in messages_of(response)


def test_action_views_are_never_one_request_transaction(db) -> None:
    from django.urls import resolve

    # the services commit their intent before calling Amazon (STYLE 6)
    view = resolve(admin_url("orderreference_capture", 1)).func
    assert "default" in view._non_atomic_requests


def test_each_button_press_is_logged_with_its_user(staff, authorized) -> None:
    from django.contrib.admin.models import LogEntry

    auth = authorized()
    staff.post(admin_url("authorization_close_authorization", auth.pk), {"reason": ""})
    entry = LogEntry.objects.get(object_id=str(auth.pk))
    assert entry.user.username == "clerk"
    assert entry.change_message.startswith("Close authorization:")
