"""The widget template tags: Amazon's Widgets.js in production, the simulator's pages in
embedded mode; the wallet read-only once confirmed, editable again after a decline."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from django_amazonpay.models import OrderReference

pytestmark = pytest.mark.django_db
LIVE = {"ENDPOINT": None, "SANDBOX": False}


def render(source: str, **context: Any) -> str:
    request = RequestFactory().get("/checkout/?x=1")
    template = Template("{% load amazon_pay %}" + source)
    return template.render(Context({"request": request, **context}))


def amazon(settings: Any, **keys: Any) -> None:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, **LIVE, **keys}


@pytest.mark.parametrize(
    ("region", "sandbox", "url"),
    [
        ("jp", True, "https://static-fe.payments-amazon.com/OffAmazonPayments/jp/sandbox/lpa/js/Widgets.js"),
        ("jp", False, "https://static-fe.payments-amazon.com/OffAmazonPayments/jp/lpa/js/Widgets.js"),
        ("us", True, "https://static-na.payments-amazon.com/OffAmazonPayments/us/sandbox/js/Widgets.js"),
        ("us", False, "https://static-na.payments-amazon.com/OffAmazonPayments/us/js/Widgets.js"),
        ("uk", False, "https://static-eu.payments-amazon.com/OffAmazonPayments/gbp/lpa/js/Widgets.js"),
        ("de", True, "https://static-eu.payments-amazon.com/OffAmazonPayments/eur/sandbox/lpa/js/Widgets.js"),
    ],
)  # fmt: skip
def test_widgets_js_per_region(settings: Any, region: str, sandbox: bool, url: str) -> None:
    amazon(settings, REGION=region, SANDBOX=sandbox)
    html = render("{% amazon_pay_script %}")
    assert f'<script async src="{url}"></script>' in html
    assert '"client_id": "amzn1.application-oa2-client.test"' in html
    assert '"seller_id": "A1TESTSELLER00"' in html


def test_production_button_uses_amazon_login(settings: Any) -> None:
    amazon(settings)
    html = render("{% amazon_pay_button '/checkout/' %}")
    assert 'OffAmazonPayments.Button("AmazonPayButton", config.seller_id' in html
    assert "amazon.Login.authorize" in html
    assert '"http://testserver/checkout/"' in html
    assert "sandbox/buyer" not in html


def test_production_address_book_and_wallet(settings: Any) -> None:
    amazon(settings)
    html = render("{% amazon_pay_address_book %}{% amazon_pay_wallet %}")
    assert "new OffAmazonPayments.Widgets.AddressBook(options)" in html
    assert "onOrderReferenceCreate" in html
    assert "new OffAmazonPayments.Widgets.Wallet(options)" in html
    assert 'displayMode: el.dataset.mode === "read" ? "Read" : "Edit"' in html


def test_simulator_button_links_to_the_buyer_pages(settings: Any) -> None:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "ENDPOINT": "http://shop.test/amazonpay-sandbox"}
    html = render("{% amazon_pay_script %}{% amazon_pay_button %}")
    assert "<script async src=" not in html
    assert (
        'href="http://shop.test/amazonpay-sandbox/sandbox/buyer/sign-in?return_url='
        'http%3A%2F%2Ftestserver%2Fcheckout%2F%3Fx%3D1"' in html
    )


def _oro(**fields: Any) -> OrderReference:
    return OrderReference.objects.create(
        amazon_order_reference_id="S03-1111111-2222222", currency="JPY", **fields
    )


@pytest.mark.parametrize(
    ("state", "update_required", "mode"),
    [
        ("Draft", False, "edit"),
        ("Open", False, "read"),
        ("Suspended", False, "edit"),
        ("Open", True, "edit"),
        ("Closed", False, "read"),
    ],
)
def test_wallet_mode_follows_the_checkout(state: str, update_required: bool, mode: str) -> None:
    oro = _oro(state=state, payment_method_update_required=update_required)
    html = render("{% amazon_pay_wallet checkout=oro %}", oro=oro)
    assert f'data-mode="{mode}"' in html
    assert 'data-order-reference-id="S03-1111111-2222222"' in html


def test_wallet_read_only_can_be_forced() -> None:
    assert 'data-mode="read"' in render("{% amazon_pay_wallet read_only=True %}")
    assert 'data-mode="edit"' in render("{% amazon_pay_wallet %}")


def test_wallet_in_the_simulator_links_to_another_payment_method() -> None:
    html = render("{% amazon_pay_script %}{% amazon_pay_wallet 'S03-1111111-2222222' %}")
    assert "data-amazon-pay-change-payment" in html
    assert 'pay.config.buyer_url + "/wallet/"' in html
    assert 'data-return-url="http://testserver/checkout/"' in html


def test_values_are_escaped(settings: Any) -> None:
    html = render("{% amazon_pay_address_book oro %}", oro='"><script>alert(1)</script>')
    assert "<script>alert(1)" not in html
