"""Bad input: a clear error, no call to Amazon, nothing written (issue 4 item 9)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from django_amazonpay import services
from django_amazonpay.models import (
    Authorization,
    Capture,
    MwsCall,
    OrderItem,
    OrderReference,
    Refund,
    StateTransition,
)
from django_amazonpay.services import ItemSnapshot

from .conftest import ITEMS, draft, with_details

pytestmark = pytest.mark.django_db

MODELS = (OrderReference, OrderItem, Authorization, Capture, Refund, StateTransition, MwsCall)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def unchanged() -> Iterator[Callable[[], None]]:
    """Call `mark()` before the bad call; the fixture asserts no row appeared after it."""
    state: dict[str, Any] = {}

    def mark() -> None:
        state["before"] = counts()

    yield mark
    assert counts() == state["before"]


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        (-1, services.InvalidAmountError),
        (0, services.InvalidAmountError),
        ("100.5", services.InvalidAmountError),  # JPY has no decimals
        ("abc", services.InvalidAmountError),
        (Decimal("6501"), services.AmountExceededError),
    ],
)
def test_bad_capture_amounts(authorized, unchanged, amount, error) -> None:
    auth = authorized()
    unchanged()
    with pytest.raises(error):
        services.capture(auth, amount=amount)


def test_float_amount_refused(authorized, unchanged) -> None:
    auth = authorized()
    unchanged()
    with pytest.raises(services.InvalidAmountError, match="float"):
        services.capture(auth, amount=1.5)


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        (-5, services.InvalidAmountError),
        (0, services.InvalidAmountError),
        ("1.25", services.InvalidAmountError),
        (6500 + 975 + 1, services.AmountExceededError),  # captured + 15 %
        (10_000_001, services.AmountExceededError),  # region maximum (spec 3.7)
    ],
)
def test_bad_refund_amounts(captured, unchanged, amount, error) -> None:
    cap = captured()
    unchanged()
    with pytest.raises(error):
        services.refund(cap, amount=amount)


def test_refund_allowance_is_cumulative(captured) -> None:
    cap = captured()
    services.refund(cap, amount=6500)
    services.refund(cap, amount=975)  # the 15 % allowance (spec 3.7)
    with pytest.raises(services.AmountExceededError):
        services.refund(cap, amount=1)


def test_eleventh_refund_is_refused(captured, unchanged) -> None:
    cap = captured()
    for _ in range(10):
        services.refund(cap, amount=100)
    unchanged()
    with pytest.raises(services.LimitReachedError):
        services.refund(cap, amount=100)


def test_refund_by_items(captured) -> None:
    cap = captured()
    shirt = OrderItem.objects.get(sku="T-1")
    result = services.refund(cap, items=[(shirt, 1)])
    assert result.refund.amount == Decimal("2000")
    assert result.refund.items == [{"order_item": shirt.pk, "quantity": 1, "amount": "2000.00"}]
    with pytest.raises(services.InvalidAmountError):
        services.refund(cap, items=[(shirt, 3)])
    with pytest.raises(services.InvalidAmountError):
        services.refund(cap, amount=1, items=[shirt])


def test_bad_authorize_amount(open_order, unchanged) -> None:
    oro = open_order()
    unchanged()
    with pytest.raises(services.AmountExceededError):
        services.authorize(oro, amount=6500 + 976)
    with pytest.raises(services.InvalidAmountError):
        services.authorize(oro, amount=0)


def test_wrong_states(sim, unchanged) -> None:
    oro = draft(sim)
    unchanged()
    with pytest.raises(services.InvalidStateError):
        services.authorize(oro)
    with pytest.raises(services.InvalidStateError):
        services.close_order(oro)
    with pytest.raises(services.InvalidStateError):
        services.cancel_order(oro)


def test_set_details_after_confirmation_is_refused(open_order, unchanged) -> None:
    oro = open_order()
    unchanged()
    with pytest.raises(services.InvalidStateError, match="Draft"):
        with_details(oro)


def test_capture_of_a_declined_authorization(open_order, unchanged) -> None:
    auth = services.authorize(
        open_order(payment_method="decline-amazon-rejected"), synchronous=True
    ).authorization
    unchanged()
    with pytest.raises(services.InvalidStateError):
        services.capture(auth)


def test_refund_of_a_pending_capture(authorized, unchanged) -> None:
    note = '{"SandboxSimulation": {"State": "Pending"}}'
    cap = services.capture(authorized(), seller_note=note).capture
    unchanged()
    with pytest.raises(services.InvalidStateError):
        services.refund(cap)


def test_cancel_with_a_capture_is_refused(captured, unchanged) -> None:
    cap = captured()
    unchanged()
    with pytest.raises(services.InvalidStateError, match="captures"):
        services.cancel_order(cap.order_reference)


def test_unknown_order_reference_id(sim) -> None:
    with pytest.raises(services.AmazonRequestError) as info:
        services.start_checkout("S03-0000000-0000000")
    assert info.value.amazon_code == "InvalidOrderReferenceId"
    assert OrderReference.objects.count() == 0
    assert MwsCall.objects.get().error_code == "InvalidOrderReferenceId"  # the call is logged


@pytest.mark.parametrize(
    "kwargs",
    [
        {"shipping_fee": -1},
        {"discount": "0.5"},
        {"items": [ItemSnapshot(title="x", unit_price=100, quantity=0)]},
        {"items": [ItemSnapshot(title="x", unit_price=-100)]},
        {"items": []},
        {"discount": 100_000},  # total below zero
    ],
)
def test_bad_order_snapshots(sim, unchanged, kwargs) -> None:
    oro = draft(sim)
    unchanged()
    with pytest.raises(services.InvalidAmountError):
        with_details(oro, **kwargs)


def test_an_order_total_above_the_regions_maximum_is_refused_before_sending(sim, unchanged) -> None:
    oro = draft(sim)
    unchanged()
    calls = MwsCall.objects.count()
    with pytest.raises(services.AmountExceededError, match="10000000"):
        car = [ItemSnapshot(title="car", unit_price=10_000_000)]
        with_details(oro, items=car, shipping_fee=1, discount=0)  # 10,000,001 JPY
    assert MwsCall.objects.count() == calls  # nothing was sent


def test_an_order_total_at_the_regions_maximum_is_sent(sim) -> None:
    car = [ItemSnapshot(title="car", unit_price=9_999_000)]
    oro = with_details(draft(sim), items=car, shipping_fee=1000, discount=0)
    assert oro.amount == Decimal("10000000")


def test_expected_total_mismatch(sim, unchanged) -> None:
    oro = draft(sim)
    unchanged()
    with pytest.raises(services.TotalMismatchError, match="6500"):
        with_details(oro, items=ITEMS, expected_total=7000)


def test_expected_total_match_is_accepted(sim) -> None:
    oro = with_details(draft(sim), expected_total="6500")
    assert oro.amount == Decimal("6500")


def test_a_confirm_landing_during_set_details_is_not_undone(sim, monkeypatch) -> None:
    """Two requests of one storefront (order, then confirm at once): Amazon takes the total,
    the confirm lands, then the set-details answer (Draft) comes back. The row stays Open."""
    from django_amazonpay.client import get_client
    from django_amazonpay.models import StateTransition

    oro = with_details(draft(sim))  # a first total, so the confirm can pass
    client = get_client()
    real = client.set_order_reference_details

    def and_meanwhile_a_confirm(*args, **kwargs):
        answer = real(*args, **kwargs)
        services.confirm(oro)  # the other request, between Amazon's answer and our write
        return answer

    monkeypatch.setattr(client, "set_order_reference_details", and_meanwhile_a_confirm)
    second = [ItemSnapshot(title="tea", unit_price=3000, quantity=2)]
    stored = with_details(oro, items=second, shipping_fee=0, discount=0)
    assert stored.state == "Open"
    assert stored.amount == Decimal("6000")  # Amazon's total: the second one
    assert [i.title for i in stored.items.all()] == ["tea"]
    assert not StateTransition.objects.filter(order_reference=oro, to_state="Draft",
                                              from_state="Open").exists()  # fmt: skip
