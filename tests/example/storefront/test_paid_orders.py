"""The example shop confirms an order only when Amazon's answer pays its current total.

Through the shop's pages and the REST API as a buyer's browser calls them (the Django test
client), Amazon played by the simulator; staff through the admin's buttons.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from shop.models import Order
from shop.payment import on_order_reference_changed, order_total

from django_amazonpay import services
from django_amazonpay.models import Authorization, OrderReference
from django_amazonpay.signals import order_reference_changed

from .conftest import add_lines, assert_confirmed_orders_are_paid

TEA = Decimal("1800")  # TEA-001 1,200 + shipping to Tokyo 600
RECEIVER = "shop.payment.on_order_reference_changed"


@contextmanager
def services_quiet() -> Iterator[None]:
    """The shop's receiver disconnected: as if it learned of Amazon's answer only later."""
    order_reference_changed.disconnect(sender=OrderReference, dispatch_uid=RECEIVER)
    try:
        yield
    finally:
        order_reference_changed.connect(
            on_order_reference_changed, sender=OrderReference, dispatch_uid=RECEIVER
        )


def confirmed_page(response) -> bool:
    return b"data-order-confirmed" in response.content


def test_a_paid_order_is_confirmed(buyer) -> None:
    buyer.add("TEA-001")
    placed = buyer.place()
    assert placed["next_action"] == "complete" and placed["amount"] == "1800"
    order = buyer.order
    page = buyer.complete()
    assert page.status_code == 200 and confirmed_page(page)
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert buyer.client.session.get("cart", {}) == {}  # its items left the cart
    assert_confirmed_orders_are_paid()


def test_the_order_is_confirmed_by_amazons_answer_before_the_buyer_returns(buyer) -> None:
    buyer.add("TEA-001")
    buyer.place()
    # no complete page yet: the authorization's signal settled it
    assert buyer.order.status == Order.Status.CONFIRMED


def test_lines_added_after_authorization_do_not_re_price_the_paid_order(buyer) -> None:
    """The issue's case: 1,800 JPY authorized, then 47,500 JPY more put in the cart and the
    checkout opened again (the shop used to rebuild the order's lines: 48,700 JPY
    confirmed against 1,800 JPY authorized)."""
    buyer.add("TEA-001")
    buyer.place()
    paid = buyer.order
    buyer.add("CUP-002", 13)
    buyer.add("TOWEL-003")
    assert buyer.checkout_page().status_code == 200
    following = buyer.order  # what was added after the order was placed is the next order
    assert following.pk != paid.pk and order_total(following) == Decimal("47500")
    assert following.status == Order.Status.NEW
    assert buyer.client.session["cart"] == {"CUP-002": 13, "TOWEL-003": 1}
    page = buyer.complete(paid.number)
    paid.refresh_from_db()
    assert order_total(paid) == TEA and paid.lines.count() == 1
    assert confirmed_page(page) and paid.status == Order.Status.CONFIRMED
    assert_confirmed_orders_are_paid()


def test_a_placed_order_being_paid_is_not_checked_out_again(buyer, monkeypatch) -> None:
    from shop import payment

    buyer.add("TEA-001")
    # the buyer is back on the checkout page before Amazon's answer settled the order
    monkeypatch.setattr(payment, "on_order_reference_changed", lambda *a, **k: None)
    monkeypatch.setattr(payment, "settle", lambda pk: (Order.objects.get(pk=pk), None))
    buyer.place()
    monkeypatch.undo()
    placed = buyer.order
    assert placed.status == Order.Status.NEW
    buyer.add("CUP-002", 13)
    again = buyer.checkout_page()
    assert again.status_code == 302 and again["Location"] == f"/order/{placed.number}/complete/"
    assert order_total(placed) == TEA  # not re-priced
    assert confirmed_page(buyer.complete(placed.number))
    assert buyer.client.session["cart"] == {"CUP-002": 13}
    assert_confirmed_orders_are_paid()


def test_a_cart_changed_between_setting_the_order_and_confirming_cancels_it(buyer) -> None:
    """Another tab changes the cart after the total was sent to Amazon; the first tab then
    places the order at the old total: 1,800 JPY set at Amazon, 48,700 JPY of lines."""
    buyer.add("TEA-001")
    assert buyer.checkout_page().status_code == 200
    buyer.start()
    assert buyer.set_order().json()["amount"] == "1800"
    buyer.add("CUP-002", 13)
    buyer.add("TOWEL-003")
    assert buyer.checkout_page().status_code == 200  # the other tab: lines rebuilt (Draft)
    order = buyer.order
    assert order_total(order) == Decimal("48700")
    # the confirm tells the shop (order_reference_changed); the shop sees a total Amazon does
    # not carry, cancels its order and the checkout with it: nothing is authorized or held
    confirmed = buyer.api("confirm")
    assert (confirmed.status_code, confirmed.json()["error"]) == (409, "invalid_state")
    oro = OrderReference.objects.get(amazon_order_reference_id=order.amazon_order_reference_id)
    assert (oro.state, oro.reason_code) == ("Canceled", "SellerCanceled")
    assert not Authorization.objects.exclude(state="Closed").exists()
    page = buyer.complete(order.number)
    order.refresh_from_db()
    assert not confirmed_page(page)
    assert b"This checkout was canceled. The order will not be shipped." in page.content
    assert order.status == Order.Status.CANCELED
    assert b'href="/checkout/"' in page.content  # check out again: a new order, the cart's
    assert buyer.checkout_page().status_code == 200
    assert buyer.order.pk != order.pk and order_total(buyer.order) == Decimal("48700")
    assert_confirmed_orders_are_paid()


def test_an_order_changed_after_authorization_releases_the_buyers_money(buyer) -> None:
    """Lines written behind the shop after Amazon authorized a new order's old total: the
    order is canceled and so is its checkout, so the 1,800 JPY is not held for days."""
    buyer.add("TEA-001")
    assert buyer.checkout_page().status_code == 200
    buyer.start()
    buyer.set_order()
    with services_quiet():  # the shop hears of the authorization only at the complete page
        assert buyer.api("confirm").json()["next_action"] == "complete"
    order = buyer.order
    assert order.status == Order.Status.NEW
    add_lines(order, "CUP-002", 13)
    page = buyer.complete(order.number)
    order.refresh_from_db()
    assert not confirmed_page(page) and order.status == Order.Status.CANCELED
    oro = OrderReference.objects.get(amazon_order_reference_id=order.amazon_order_reference_id)
    assert oro.state == "Canceled"
    assert Authorization.objects.get().state == "Closed"
    assert_confirmed_orders_are_paid()


def test_a_release_amazon_refused_is_not_tried_again_by_every_page_view(buyer, sim) -> None:
    """The complete page settles the order on every GET: releasing the checkout happens once,
    when the order is canceled, not once per reload (each would cost Amazon calls)."""
    from django_amazonpay.models import MwsCall

    buyer.add("TEA-001")
    assert buyer.checkout_page().status_code == 200
    buyer.start()
    buyer.set_order()
    with services_quiet():
        assert buyer.api("confirm").json()["next_action"] == "complete"
    order = buyer.order
    add_lines(order, "CUP-002", 13)
    sim.faults.inject("CancelOrderReference", "http_500", times=10)
    buyer.complete(order.number)
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED
    calls = MwsCall.objects.count()
    assert calls and MwsCall.objects.filter(operation="CancelOrderReference").exists()
    for _ in range(3):
        assert buyer.complete(order.number).status_code == 200
    assert MwsCall.objects.count() == calls
    assert_confirmed_orders_are_paid()


def test_lines_written_behind_the_shop_after_confirmation_put_the_order_on_hold(buyer) -> None:
    buyer.add("TEA-001")
    buyer.place()
    order = buyer.order
    assert order.status == Order.Status.CONFIRMED
    add_lines(order, "CUP-002", 13)
    page = buyer.complete(order.number)
    order.refresh_from_db()
    assert not confirmed_page(page) and order.status == Order.Status.ON_HOLD
    assert_confirmed_orders_are_paid()


@pytest.mark.parametrize("complete_page_first", [False, True], ids=["before", "after"])
def test_a_cancel_through_the_api_cancels_the_order(buyer, complete_page_first) -> None:
    buyer.add("TEA-001")
    buyer.place()
    order = buyer.order
    if complete_page_first:
        assert confirmed_page(buyer.complete(order.number))
    canceled = buyer.api("cancel", {"reason": "changed my mind"})
    assert canceled.status_code == 200 and canceled.json()["state"] == "Canceled"
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED  # moved by the signal, no page needed
    page = buyer.complete(order.number)
    assert not confirmed_page(page) and b"This checkout was canceled" in page.content
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED
    assert Authorization.objects.get().state == "Closed"


def test_staff_canceling_in_the_admin_cancels_the_order(buyer, staff) -> None:
    buyer.add("TEA-001")
    buyer.place()
    order = buyer.order
    oro = OrderReference.objects.get(amazon_order_reference_id=buyer.oro_id)
    url = f"/admin/django_amazonpay/orderreference/{oro.pk}/cancel/"
    assert staff.post(url, {"reason": "out of stock"}).status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED


def test_an_authorization_closed_by_staff_puts_the_order_on_hold(buyer, staff) -> None:
    buyer.add("TEA-001")
    buyer.place()
    auth = Authorization.objects.get()
    url = f"/admin/django_amazonpay/authorization/{auth.pk}/close-authorization/"
    assert staff.post(url, {"reason": "fraud check"}).status_code == 302
    order = buyer.order
    assert order.status == Order.Status.ON_HOLD
    assert not confirmed_page(buyer.complete(order.number))


def test_a_captured_and_closed_order_stays_confirmed(buyer, staff) -> None:
    buyer.add("TEA-001")
    buyer.place()
    auth = Authorization.objects.get()
    url = f"/admin/django_amazonpay/authorization/{auth.pk}/capture/"
    assert staff.post(url, {"authorization": auth.pk, "amount": "1800"}).status_code == 302
    services.close_order(auth.order_reference, source="admin")
    order = buyer.order
    assert order.status == Order.Status.CONFIRMED
    assert confirmed_page(buyer.complete(order.number))


def test_a_partial_capture_does_not_pay_the_order(buyer, staff) -> None:
    buyer.add("TEA-001")
    buyer.place()
    auth = Authorization.objects.get()
    url = f"/admin/django_amazonpay/authorization/{auth.pk}/capture/"
    assert staff.post(url, {"authorization": auth.pk, "amount": "1000"}).status_code == 302
    # the rest of the authorization is released (one capture per authorization)
    assert buyer.order.status == Order.Status.ON_HOLD


def test_a_declined_payment_keeps_the_order_new_and_its_lines(buyer) -> None:
    buyer.add("TEA-001")
    placed = buyer.place(payment_method="decline-invalid-payment-method")
    assert placed["next_action"] == "choose_another_payment_method"
    order = buyer.order
    page = buyer.complete(order.number)
    assert not confirmed_page(page) and b"Your payment method was declined" in page.content
    buyer.add("CUP-002")  # a changed cart while declined: a new order, this one unchanged
    assert buyer.checkout_page().status_code == 200
    assert buyer.order.pk != order.pk and order_total(order) == TEA


def test_a_declined_buyer_pays_the_same_order_with_another_method(buyer) -> None:
    buyer.add("TEA-001")
    buyer.place(payment_method="decline-invalid-payment-method")
    order = buyer.order
    assert buyer.checkout_page().status_code == 200 and buyer.order.pk == order.pk
    buyer.sim.set_payment_method(buyer.oro_id, "visa-1111")
    assert buyer.api("reconfirm").json()["next_action"] == "complete"
    assert confirmed_page(buyer.complete(order.number))
    assert_confirmed_orders_are_paid()


def test_amazon_rejected_cancels_the_new_order(buyer) -> None:
    buyer.add("TEA-001")
    placed = buyer.place(payment_method="decline-amazon-rejected")
    assert placed["next_action"] == "pay_another_way"
    assert buyer.order.status == Order.Status.CANCELED  # the order reference Closed unpaid


def test_a_second_checkout_cannot_take_over_a_paid_order(buyer) -> None:
    buyer.add("TEA-001")
    buyer.place()
    order = buyer.order
    buyer.start()  # a new Amazon order reference in the same session
    response = buyer.set_order(order.number)
    assert response.status_code == 404 and response.json()["error"] == "no_order"
    order.refresh_from_db()
    assert order.amazon_order_reference_id != buyer.oro_id
    assert order.status == Order.Status.CONFIRMED


def test_two_orders_set_on_one_checkout_confirm_only_the_one_amazon_carries(buyer) -> None:
    buyer.add("TEA-001")
    assert buyer.checkout_page().status_code == 200
    first = buyer.order
    second = Order.objects.create(
        number="TWIN-1", session_key=first.session_key, subtotal=first.subtotal
    )
    add_lines(second, "TEA-001", 1)
    buyer.start()
    assert buyer.set_order(first.number).status_code == 200
    assert buyer.set_order(second.number).status_code == 200  # same total, same checkout
    assert buyer.api("confirm").status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == Order.Status.CONFIRMED
    assert first.status == Order.Status.CANCELED  # Amazon's order reference names the other
    assert not confirmed_page(buyer.complete(first.number))


def test_another_sessions_complete_page_is_not_found(buyer, sim) -> None:
    from django.test import Client

    buyer.add("TEA-001")
    buyer.place()
    assert Client().get(f"/order/{buyer.order.number}/complete/").status_code == 404


def test_staff_check_the_payment_again_from_the_shops_admin(buyer, staff) -> None:
    buyer.add("TEA-001")
    buyer.place()
    order = buyer.order
    Order.objects.filter(pk=order.pk).update(status=Order.Status.NEW)  # a receiver that failed
    response = staff.post(
        "/admin/shop/order/",
        {"action": "check_payment", "_selected_action": [order.pk, "x\x00", "9" * 40]},
        follow=True,
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    page = staff.get(f"/admin/shop/order/{order.pk}/change/").content.decode()
    assert 'name="status"' not in page  # the status follows Amazon, it is not typed in
