"""MWS Orders ListOrderItems through the simulator's Orders book (spec 7, seed 002)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache.backends.locmem import LocMemCache

from django_amazonpay.amounts import Amount
from django_amazonpay.mws import OrdersClient, errors

from .conftest import ACCESS, SECRET, SELLER, FakeAdapter, FakeClock, FakeSleep, make_config

ORDER_ID = "249-1234567-7654321"


def items(count: int) -> list[dict[str, Any]]:
    return [
        {
            "ASIN": f"B00000000{n}",
            "OrderItemId": f"1000{n}",
            "SellerSKU": f"SKU-{n}",
            "Title": f"商品 {n}",
            "QuantityOrdered": "2",
            "ItemPrice": {"CurrencyCode": "JPY", "Amount": "1200.00"},
            "ShippingPrice": {"CurrencyCode": "JPY", "Amount": "300.00"},
            "ItemTax": {"CurrencyCode": "JPY", "Amount": "120.00"},
        }
        for n in range(count)
    ]


@pytest.fixture
def orders_sim() -> Any:
    from datetime import datetime, timezone

    from django_amazonpay.sandbox.clock import Clock
    from django_amazonpay.sandbox.simulator import Simulator

    return Simulator(
        seller_id=SELLER,
        access_key=ACCESS,
        secret_key=SECRET,
        region="jp",
        clock=Clock(start=datetime.now(timezone.utc)),
        orders_page_size=2,
    )


def orders_client(sim: Any, **kwargs: Any) -> OrdersClient:
    config = make_config()
    client = OrdersClient(config, **kwargs)
    sim.mount(client.session, config.base_url + "/")
    return client


def test_all_pages_followed(orders_sim: Any) -> None:
    orders_sim.orders.add_order(ORDER_ID, items(5))
    records: list[Any] = []
    got = list(orders_client(orders_sim, on_call=records.append).list_order_items(ORDER_ID))
    assert [i.order_item_id for i in got] == [f"1000{n}" for n in range(5)]
    assert got[0].item_price == Amount(Decimal("1200.00"), "JPY")
    assert got[0].quantity_ordered == 2 and got[0].title == "商品 0"
    assert [r.operation for r in records] == ["ListOrderItems"] + ["ListOrderItemsByNextToken"] * 2
    assert all(r.object_id == ORDER_ID for r in records)


def test_pending_orders_have_no_pricing(orders_sim: Any) -> None:
    orders_sim.orders.add_order(ORDER_ID, items(1), status="Pending")
    (item,) = orders_client(orders_sim).list_order_items(ORDER_ID)
    assert item.item_price is None and item.shipping_price is None and item.item_tax is None
    assert item.asin == "B000000000"


def test_pages_share_the_orders_bucket(orders_sim: Any) -> None:
    orders_sim.orders.add_order(ORDER_ID, items(2 * 31))
    clock = FakeClock()
    sleep = FakeSleep(clock)
    client = orders_client(
        orders_sim, cache=LocMemCache("orders-pages", {}), sleep=sleep, throttle_clock=clock
    )
    assert len(list(client.list_order_items(ORDER_ID))) == 62
    assert sum(sleep.calls) == pytest.approx(2.0)  # 31 calls: one over quota 30, 1 per 2 s


def test_invalid_order_id_sends_nothing() -> None:
    fake = FakeAdapter()
    config = make_config()
    client = OrdersClient(config)
    client.session.mount(config.base_url, fake)
    with pytest.raises(errors.RequestValidationError):
        client.list_order_items("S03-1571525-4435073")
    assert fake.requests == []


def test_request_shape() -> None:
    from .conftest import fixture

    fake = FakeAdapter()
    body = fixture("ListOrderItems", "two_items_next_token_seed002")
    fake.add(200, body)
    last = body.replace(b"<NextToken>MRgZW55IGNhcm5hbCBwbGVhc3VyZS6=</NextToken>", b"")
    fake.add(
        200,
        last.replace(b"ListOrderItemsResult", b"ListOrderItemsByNextTokenResult").replace(
            b"ListOrderItemsResponse", b"ListOrderItemsByNextTokenResponse"
        ),
    )
    config = make_config()
    client = OrdersClient(config)
    client.session.mount(config.base_url, fake)
    assert len(list(client.list_order_items("058-1233752-8214740"))) == 4
    assert fake.requests[0].url == "https://mws.amazonservices.jp/Orders/2013-09-01"
    assert fake.params(0)["Version"] == "2013-09-01"
    assert fake.params(1)["NextToken"] == "MRgZW55IGNhcm5hbCBwbGVhc3VyZS6="


def test_repeated_token_is_malformed() -> None:
    from .conftest import fixture

    fake = FakeAdapter()
    body = fixture("ListOrderItems", "two_items_next_token_seed002")
    paged = body.replace(b"ListOrderItemsResult", b"ListOrderItemsByNextTokenResult").replace(
        b"ListOrderItemsResponse", b"ListOrderItemsByNextTokenResponse"
    )
    fake.add(200, body).add(200, paged).add(200, paged)
    config = make_config()
    client = OrdersClient(config)
    client.session.mount(config.base_url, fake)
    with pytest.raises(errors.MalformedResponse):
        list(client.list_order_items("058-1233752-8214740"))
