"""What the buyer pages, the JSON endpoint and the Python API say about bad input."""

from __future__ import annotations

import pytest

from django_amazonpay.sandbox.errors import SimulatorError
from django_amazonpay.sandbox.rules import PAYMENT_METHODS

from .test_protocol import call

IDS = [m["id"] for m in PAYMENT_METHODS]


@pytest.fixture
def base(sim):
    return f"https://{sim.region.host}"


def _lists_every_id(text: str) -> bool:
    return all(i in text for i in IDS)


def test_missing_seller_id_is_called_missing(sim, session, base):
    url = base + "/sandbox/buyer/order-references"
    for body in ({}, {"seller_id": ""}, {"seller_id": None}):
        r = session.post(url, json=body)
        assert r.status_code == 400
        assert r.json()["error"] == "missing_seller_id"
        assert "missing" in r.json()["error_description"]
        assert "does not match" not in r.json()["error_description"]
    r = session.post(url, json={"seller_id": "A2SOMEONEELSE"})
    assert r.json()["error"] == "invalid_seller"
    assert "does not match" in r.json()["error_description"]


def test_json_endpoint_lists_the_valid_payment_methods(sim, session, base):
    url = base + "/sandbox/buyer/order-references"
    for method in ("visa-9999", ["visa-1111"], 3):
        r = session.post(url, json={"seller_id": sim.seller_id, "payment_method": method})
        assert r.status_code == 400
        assert r.json()["error"] == "invalid_payment_method"
        assert _lists_every_id(r.json()["error_description"])
    assert sim.engine.summary(1)["counts"]["OrderReference"] == 0
    # "" still means "no payment method chosen" (PaymentPlanNotSet)
    r = session.post(url, json={"seller_id": sim.seller_id, "payment_method": ""})
    assert r.status_code == 201
    assert sim.get_object(r.json()["amazon_order_reference_id"])["payment_method"] is None


def test_python_api_lists_the_valid_payment_methods(sim):
    oro = sim.create_order_reference()
    with pytest.raises(SimulatorError) as info:
        sim.set_payment_method(oro, "visa-9999")
    assert "visa-9999" in info.value.message and _lists_every_id(info.value.message)
    with pytest.raises(SimulatorError) as info:
        sim.create_order_reference(payment_method="visa-9999")
    assert _lists_every_id(info.value.message)


def test_wallet_pages_list_the_valid_payment_methods(sim, session, base):
    form = {"return_url": "/back", "buyer": "0", "address": "0", "payment_method": "visa-9999"}
    r = session.post(base + "/sandbox/buyer/wallet", data=form, allow_redirects=False)
    assert r.status_code == 400
    assert "visa-9999" in r.text and _lists_every_id(r.text)
    assert sim.engine.summary(1)["counts"]["OrderReference"] == 0
    oro = sim.create_order_reference()
    for data in ({"payment_method": "visa-9999"}, {}):
        r = session.post(base + f"/sandbox/buyer/wallet/{oro}",
                         data={"return_url": "/back", **data}, allow_redirects=False)  # fmt: skip
        assert r.status_code == 400
        assert _lists_every_id(r.text)
    assert sim.get_object(oro)["payment_method"] == "visa-1111"
    unknown = session.post(base + "/sandbox/buyer/wallet/S03-0000000-0000000",
                           data={"payment_method": "visa-9999"})  # fmt: skip
    assert unknown.status_code == 404


def test_wallet_change_refused_once_open_is_not_an_unknown_order(sim, session, base):
    oro = sim.create_order_reference()
    for action, extra in (
        ("SetOrderReferenceDetails", {"OrderReferenceAttributes.OrderTotal.Amount": "500",
                                      "OrderReferenceAttributes.OrderTotal.CurrencyCode": "JPY"}),
        ("ConfirmOrderReference", {}),
    ):  # fmt: skip
        assert call(session, sim, action, AmazonOrderReferenceId=oro, **extra).status_code == 200
    r = session.post(base + f"/sandbox/buyer/wallet/{oro}",
                     data={"payment_method": "jcb-3333", "return_url": "/back"})  # fmt: skip
    assert r.status_code == 400
    assert "Open" in r.text and "Unknown order reference" not in r.text


def test_unknown_payment_method_page_in_japanese(sim, session, base):
    from django.utils import translation

    form = {"return_url": "/back", "payment_method": "visa-9999"}
    with translation.override("ja"):
        r = session.post(base + "/sandbox/buyer/wallet", data=form, allow_redirects=False)
    assert r.status_code == 400
    assert "不明な支払い方法" in r.text and _lists_every_id(r.text)
