"""Hostile input through the services and the client's validation (issue 7 item 3).

Amounts with too many decimals, negative, zero, huge, non-numeric, NaN and infinities; notes
in Japanese and emoji; over-long fields. A refusal is a ServiceError (or, from the client, a
RequestValidationError) raised before anything is sent, and leaves no row behind.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django_amazonpay import services
from django_amazonpay.amounts import Amount
from django_amazonpay.client import get_client
from django_amazonpay.models import Authorization, Capture, OrderItem, OrderReference, Refund
from django_amazonpay.mws.errors import RequestValidationError
from django_amazonpay.services import ItemSnapshot
from tests.hostile_settings import hostile_settings
from tests.services import conftest as service_fixtures
from tests.services.conftest import draft

pytestmark = pytest.mark.django_db

sim = service_fixtures.sim
_fresh_client = service_fixtures._fresh_client
open_order = service_fixtures.open_order
authorized = service_fixtures.authorized
captured = service_fixtures.captured

HYPOTHESIS = hostile_settings(50)
TABLES = (OrderReference, OrderItem, Authorization, Capture, Refund)

#: amounts JPY can never take: fractions, negatives, zero, huge, not numbers at all
BAD_JPY = st.one_of(
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100000"), places=3).filter(
        lambda d: d != d.to_integral_value()
    ),
    st.decimals(max_value=Decimal("-0.001"), allow_nan=False, allow_infinity=False),
    st.sampled_from(["0", "0.00", "-0", "1e309", "NaN", "sNaN", "Infinity", "-Infinity", "abc",
                     "", " ", "1,000", "10**9", "0x10", "12.5.1", "¥1000"]),
    st.integers(min_value=10**9, max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none().map(lambda _: [1]),
    st.booleans(),
)  # fmt: skip
NOTES_OK = st.text(
    alphabet=st.sampled_from("あいうえお漢字カナｶﾅ🎍🎁🙇‍♂️👨‍👩‍👧 abcXYZ0123\n\t「」、。"),
    max_size=200,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def refused(call: Any) -> Exception:
    before = counts()
    with pytest.raises((services.ServiceError, RequestValidationError)) as info:
        call()
    assert counts() == before, "a refused call wrote something"
    return info.value


# -- amounts ------------------------------------------------------------------------------------
@HYPOTHESIS
@given(value=BAD_JPY, where=st.sampled_from(["unit_price", "shipping_fee", "discount"]))
def test_bad_amounts_in_order_details(sim, value: Any, where: str) -> None:
    oro = draft(sim)
    remote_before = sim.get_object(oro.amazon_order_reference_id)["order_total"]
    item = {"title": "T", "unit_price": Decimal("1000"), "quantity": 1}
    kwargs: dict[str, Any] = {"shipping_fee": 0, "discount": 0, "seller_order_id": "H-1"}
    if where == "unit_price":
        item["unit_price"] = value
    else:
        kwargs[where] = value
    call = lambda: services.set_order_details(oro, items=[ItemSnapshot(**item)], **kwargs)  # noqa: E731
    if where == "discount" and _is_non_negative_whole(value):
        return  # a big discount is refused for the total instead: covered below
    refused(call)
    assert sim.get_object(oro.amazon_order_reference_id)["order_total"] == remote_before


def _is_non_negative_whole(value: Any) -> bool:
    try:
        d = Decimal(str(value))
    except Exception:
        return False
    return d.is_finite() and d >= 0 and d == d.to_integral_value()


@HYPOTHESIS
@given(quantity=st.one_of(st.integers(max_value=0), st.floats(), st.text(max_size=3),
                          st.booleans(), st.none()))  # fmt: skip
def test_bad_quantities(sim, quantity: Any) -> None:
    oro = draft(sim)
    item = ItemSnapshot(title="T", unit_price=Decimal("1000"), quantity=quantity)
    refused(lambda: services.set_order_details(oro, items=[item], shipping_fee=0,
                                               seller_order_id="H-2"))  # fmt: skip


def test_discount_above_the_total_is_refused(sim) -> None:
    oro = draft(sim)
    item = ItemSnapshot(title="T", unit_price=Decimal("1000"))
    refused(lambda: services.set_order_details(oro, items=[item], shipping_fee=0,
                                               discount=5000, seller_order_id="H-3"))  # fmt: skip


@HYPOTHESIS
@given(value=BAD_JPY)
def test_bad_capture_amounts(sim, authorized, value: Any) -> None:
    auth = Authorization.objects.filter(state="Open").first() or authorized()
    refused(lambda: services.capture(auth, amount=value))
    assert not sim.engine.store.captures


def test_capture_above_the_authorization_is_refused(sim, authorized) -> None:
    auth = authorized()
    for value in ["6501", 10**6, "9999999999"]:
        refused(lambda v=value: services.capture(auth, amount=v))
    assert not sim.engine.store.captures


@HYPOTHESIS
@given(value=BAD_JPY)
def test_bad_refund_amounts(sim, captured, value: Any) -> None:
    cap = Capture.objects.filter(state="Completed").first() or captured()
    refused(lambda: services.refund(cap, amount=value))
    assert not sim.engine.store.refunds


def test_refund_beyond_captured_plus_allowance_is_refused(sim, captured) -> None:
    cap = captured()
    refused(lambda: services.refund(cap, amount=10**7))
    assert not sim.engine.store.refunds


# -- notes and over-long fields -----------------------------------------------------------------
@HYPOTHESIS
@given(note=NOTES_OK)
def test_japanese_and_emoji_notes_reach_amazon_unchanged(sim, note: str) -> None:
    oro = draft(sim)
    oro = services.set_order_details(
        oro,
        items=[ItemSnapshot(title="初売り🎍" + note[:50], unit_price=Decimal("1000"))],
        shipping_fee=0,
        seller_order_id="H-4",
        seller_note=note or None,
        store_name="ショップ🎁",
    )
    remote = sim.get_object(oro.amazon_order_reference_id)
    assert remote["seller_note"] == (note or None) or (not note and not remote["seller_note"])
    assert remote["store_name"] == "ショップ🎁"
    assert oro.items.get().title.startswith("初売り🎍")


def test_japanese_capture_and_refund_notes(sim, authorized) -> None:
    auth = authorized()
    cap = services.capture(auth, seller_note="出荷しました🚚" * 10).capture
    assert cap.seller_note == "出荷しました🚚" * 10
    ref = services.refund(cap, amount=100, seller_note="返金🙇" * 20).refund
    assert ref.seller_note == "返金🙇" * 20
    assert ref.state == "Pending"


@pytest.mark.parametrize(
    "field",
    ["seller_note", "store_name", "seller_order_id"],
)
def test_over_long_order_fields_are_refused_before_sending(sim, field: str) -> None:
    oro = draft(sim)
    kwargs: dict[str, Any] = {"seller_order_id": "H-5", field: "長" * 5000}
    item = ItemSnapshot(title="T", unit_price=Decimal("1000"))
    refused(lambda: services.set_order_details(oro, items=[item], shipping_fee=0, **kwargs))
    assert sim.get_object(oro.amazon_order_reference_id)["order_total"] is None


@pytest.mark.parametrize("field", ["seller_note", "soft_descriptor"])
def test_over_long_capture_fields_are_refused_and_leave_no_row(sim, authorized, field) -> None:
    auth = authorized()
    refused(lambda: services.capture(auth, **{field: "長" * 300}))
    assert not sim.engine.store.captures
    assert services.capture(auth).outcome == "completed"  # and the next capture works


def test_over_long_item_title_is_refused(sim) -> None:
    oro = draft(sim)
    item = ItemSnapshot(title="題" * 1000, unit_price=Decimal("1000"))
    refused(lambda: services.set_order_details(oro, items=[item], shipping_fee=0,
                                               seller_order_id="H-6"))  # fmt: skip


# -- the client's own validation ------------------------------------------------------------------
@HYPOTHESIS
@given(oid=st.text(max_size=60), ref=st.text(max_size=60), value=BAD_JPY)
def test_client_refuses_before_any_request(sim, oid: str, ref: str, value: Any) -> None:
    client = get_client()
    adapter = client.session.get_adapter(sim.base_url.rstrip("/") + "/")
    sent = len(adapter.requests)
    with pytest.raises((RequestValidationError, Exception)) as info:
        client.authorize(oid, authorization_reference_id=ref, amount=value)
    if isinstance(info.value, RequestValidationError):
        assert len(adapter.requests) == sent
    else:  # a well-formed request Amazon refused: only possible with a valid-looking id
        from django_amazonpay.mws.errors import MwsError

        assert isinstance(info.value, MwsError), repr(info.value)


@pytest.mark.parametrize("value", ["1.5", "-1", "0", "NaN", "1e309", 10**12])
def test_client_amount_validation(sim, value: Any) -> None:
    with pytest.raises(RequestValidationError):
        get_client().capture(
            "S03-1234567-1234567-A123456",
            capture_reference_id="ref-1",
            amount=Amount(Decimal(str(value)), "JPY") if value == "1.5" else value,
        )
