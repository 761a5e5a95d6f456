"""The MWS Orders section: ListOrderItems(+ByNextToken), seed 002's order, the mws package."""

from __future__ import annotations

import pytest

from .test_protocol import call, parse

ORDERS = "/Orders/2013-09-01"
ONS = "{https://mws.amazonservices.com/Orders/2013-09-01}"
SEED_ORDER = "058-1233752-8214740"


@pytest.fixture
def amazon_pay_simulator_options():
    return {"orders_page_size": 1}


def list_items(session, sim, action="ListOrderItems", method="GET", **params):
    return call(session, sim, action, path=ORDERS, method=method, Version="2013-09-01", **params)


def items_of(response):
    root = parse(response.content)
    result = root[0]
    return (
        result.findtext(f"{ONS}NextToken"),
        [
            {child.tag.replace(ONS, ""): child for child in item}
            for item in result.find(f"{ONS}OrderItems")
        ],
    )


def test_seed_order_pages_through_next_token(sim, session):
    r = list_items(session, sim, AmazonOrderId=SEED_ORDER)
    assert r.status_code == 200, r.text
    root = parse(r.content)
    assert root.tag == ONS + "ListOrderItemsResponse"
    assert root.findtext(f"{ONS}ListOrderItemsResult/{ONS}AmazonOrderId") == SEED_ORDER
    assert root.findtext(f"{ONS}ResponseMetadata/{ONS}RequestId") == r.headers["x-mws-request-id"]
    token, first = items_of(r)
    assert token
    assert first[0]["ASIN"].text == "BT0093TELA"
    assert first[0]["ItemPrice"].findtext(f"{ONS}Amount") == "25.99"
    assert first[0]["PointsGranted"].findtext(f"{ONS}PointsNumber") == "10"
    r = list_items(session, sim, "ListOrderItemsByNextToken", method="POST", NextToken=token)
    assert r.status_code == 200, r.text
    assert parse(r.content).tag == ONS + "ListOrderItemsByNextTokenResponse"
    token, second = items_of(r)
    assert token is None
    assert [i["OrderItemId"].text for i in second] == ["79039765272157"]
    assert second[0]["PromotionIds"].findtext(f"{ONS}PromotionId") == "FREESHIP"


def test_pending_orders_hide_pricing(sim, session):
    sim.orders.page_size = 5
    sim.orders.set_status(SEED_ORDER, "Pending")
    _, items = items_of(list_items(session, sim, AmazonOrderId=SEED_ORDER))
    for item in items:
        assert not {"ItemPrice", "ShippingPrice", "GiftWrapPrice"} & set(item)
    assert items[0]["Title"].text == "Example item name"
    assert items[0]["CODFee"] is not None  # not in the hidden list of spec 7


def test_unknown_order_and_bad_token(sim, session):
    r = list_items(session, sim, AmazonOrderId="999-0000000-0000000")
    assert r.status_code == 400
    assert parse(r.content).findtext(f"{ONS}Error/{ONS}Code") == "InvalidParameterValue"
    r = list_items(session, sim, "ListOrderItemsByNextToken", method="POST", NextToken="garbage")
    assert r.status_code == 400


def test_orders_added_by_python_and_json(sim, session):
    sim.orders.add_order("249-1111111-2222222", [
        {"ASIN": "B000000001", "OrderItemId": "1", "QuantityOrdered": "3", "Title": "<Tea & cake>"},
    ])  # fmt: skip
    _, items = items_of(list_items(session, sim, AmazonOrderId="249-1111111-2222222"))
    assert items[0]["Title"].text == "<Tea & cake>"
    r = session.post(f"https://{sim.region.host}/sandbox/orders", json={
        "amazon_order_id": "249-3333333-4444444", "status": "Shipped",
        "items": [{"ASIN": "B2", "OrderItemId": "2", "QuantityOrdered": "1"}]})  # fmt: skip
    assert r.status_code == 201
    _, items = items_of(list_items(session, sim, AmazonOrderId="249-3333333-4444444"))
    assert items[0]["ASIN"].text == "B2"
    with pytest.raises(ValueError):
        sim.orders.add_order("x", [{"ASIN": "B3"}])


def test_orders_share_one_bucket(sim, session):
    sim.throttle.enabled = True
    codes = [list_items(session, sim, AmazonOrderId=SEED_ORDER).status_code for _ in range(30)]
    assert codes == [200] * 30
    token_call = list_items(session, sim, "ListOrderItemsByNextToken", method="POST", NextToken="x")
    assert token_call.status_code == 503  # same bucket as ListOrderItems (spec 7)
    sim.clock.advance(2)
    assert list_items(session, sim, AmazonOrderId=SEED_ORDER).status_code == 200


@pytest.mark.server
def test_mws_package_lists_seed_002_following_next_token(sim, amazon_pay_simulator_server):
    import mws

    orders = mws.Orders(sim.access_key, sim.credentials[sim.access_key], sim.seller_id,
                        region="JP", domain=amazon_pay_simulator_server)  # fmt: skip
    response = orders.list_order_items(amazon_order_id=SEED_ORDER)
    result = response.parsed
    collected = [result["OrderItems"]["OrderItem"]]
    assert result["AmazonOrderId"] == SEED_ORDER
    while "NextToken" in result:
        result = orders.list_order_items(next_token=result["NextToken"]).parsed
        collected.append(result["OrderItems"]["OrderItem"])
    assert [i["ASIN"] for i in collected] == ["BT0093TELA", "BCTU1104UEFB"]
    assert collected[0]["ShippingPrice"]["Amount"] == "1.26"
    assert collected[1]["TaxCollection"]["Model"] == "MarketplaceFacilitator"
