"""A buyer pays with the sandbox Amazon Pay pages; staff captures in the admin; a declined
buyer picks another payment method; the shop speaks the browser's language."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest

from tests.example.demo_server import ADMIN_PASSWORD, DemoServer

pytestmark = pytest.mark.slow
TIMEOUT = 20_000


def _new_page(browser: Any, locale: str = "en-US") -> Any:
    context = browser.new_context(locale=locale, viewport={"width": 1100, "height": 900})
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.requested = []  # (method, url, body) of every request the browser sent
    page.on("request", lambda r: page.requested.append((r.method, r.url, r.post_data or "")))
    return page


def _fill_cart_and_check_out(page: Any, shop: DemoServer, shots: Any, sku: str) -> None:
    page.goto(shop.url)
    shots(page, "products")
    page.locator(f"[data-sku='{sku}'] button").click()
    page.wait_for_url(re.compile(r"/cart/$"))
    shots(page, "cart")
    page.locator("[data-checkout-link]").click()
    page.wait_for_url(re.compile(r"/checkout/$"))
    shots(page, "checkout")


def _sign_in_with_amazon(page: Any, shots: Any, payment_method: str | None = None) -> None:
    page.locator("[data-amazon-pay-button]").click()
    page.wait_for_url(re.compile(r"/sandbox/buyer/sign-in"))
    shots(page, "amazon-sign-in")
    page.locator("li a").first.click()
    page.wait_for_url(re.compile(r"/sandbox/buyer/address"))
    shots(page, "amazon-address")
    page.locator("li a").first.click()
    page.wait_for_url(re.compile(r"/sandbox/buyer/wallet"))
    if payment_method:
        page.locator(f"input[value='{payment_method}']").check()
    shots(page, "amazon-wallet")
    page.locator("button[type=submit]").click()
    # back with the id (and the token, removed at once by the widgets' script) in the fragment
    page.wait_for_url(re.compile(r"/checkout/#amazon_order_reference_id=[SP]\d{2}-"))
    page.locator("[data-widgets]").wait_for()


def _place_order(page: Any, shots: Any) -> None:
    button = page.locator("[data-place-order]")
    page.wait_for_function("!document.querySelector('[data-place-order]').disabled")
    assert page.locator("[data-total]").inner_text() != "-"
    shots(page, "ready-to-order")
    button.click()


def _token_stayed_out_of_urls(page: Any, shop: DemoServer) -> str:
    """The access token reached the API in a request body only: no URL the browser requested
    or shows, no line of the demo's output (runserver's access log), holds it."""
    token = page.evaluate("window.djangoAmazonPay.accessToken")
    assert token.startswith("Atza|")
    assert "access_token" not in page.url and token not in page.url
    assert page.evaluate("window.location.hash").startswith("#amazon_order_reference_id=")
    for _method, url, _body in page.requested:
        assert token not in url and quote(token, safe="") not in url, url
    starts = [body for method, url, body in page.requested
              if method == "POST" and url.endswith("/amazon-pay/api/checkouts/")]  # fmt: skip
    assert starts and token in starts[0]  # the JSON body of the start call
    log = shop.log()
    assert "/amazon-pay/api/checkouts/" in log  # the access log is there, and clean
    assert token not in log and quote(token, safe="") not in log
    return token


def test_buyer_pays_and_staff_captures(shop: DemoServer, browser: Any, screenshots: Any) -> None:
    page = _new_page(browser)
    _fill_cart_and_check_out(page, shop, screenshots, "CUP-002")
    _sign_in_with_amazon(page, screenshots)
    page.wait_for_function("!document.querySelector('[data-place-order]').disabled")
    _token_stayed_out_of_urls(page, shop)
    address = page.locator("[data-amazon-pay-address]").inner_text()
    assert "東京都" in address and "渋谷区神宮前2-2-2" in address
    assert page.locator("[data-shipping]").inner_text() == "¥600"  # Tokyo: Kanto zone
    assert page.locator("[data-total]").inner_text() == "¥4,100"
    _place_order(page, screenshots)
    page.wait_for_url(re.compile(r"/order/.+/complete/$"))
    assert page.locator("[data-order-confirmed]").is_visible()
    screenshots(page, "order-confirmed")
    oro_id = re.search(r"([SP]\d{2}-\d{7}-\d{7})", page.content()).group(1)
    assert page.errors == []

    staff = _new_page(browser)
    staff.goto(shop.url + "admin/")
    staff.fill("#id_username", "admin")
    staff.fill("#id_password", ADMIN_PASSWORD)
    screenshots(staff, "admin-login")
    staff.locator("input[type=submit]").click()
    staff.goto(shop.url + "admin/django_amazonpay/orderreference/")
    screenshots(staff, "admin-order-references")
    staff.get_by_role("link", name=oro_id).click()
    screenshots(staff, "admin-order-reference")
    capture = staff.locator("a.amazonpay-button", has_text="Capture")
    assert capture.count() == 1, "the admin has no Capture button"
    capture.click()
    screenshots(staff, "admin-capture-confirm")
    staff.locator("form input[type=submit], form button[type=submit]").last.click()
    staff.wait_for_load_state()
    screenshots(staff, "admin-captured")
    body = staff.locator("body").inner_text()
    assert "Completed" in body or "captured" in body.lower()
    for state in ("Draft", "Open"):
        assert state in body, f"{state} missing from the timeline"


def test_declined_buyer_chooses_another_payment_method(
    shop: DemoServer, browser: Any, screenshots: Any
) -> None:
    page = _new_page(browser)
    _fill_cart_and_check_out(page, shop, screenshots, "TEA-001")
    _sign_in_with_amazon(page, screenshots, payment_method="decline-invalid-payment-method")
    _place_order(page, screenshots)
    message = page.locator("[data-message]")
    message.filter(has_text="declined").wait_for()
    change = page.locator("[data-amazon-pay-change-payment]")
    assert change.is_visible()
    screenshots(page, "declined")
    change.click()
    page.wait_for_url(re.compile(r"/sandbox/buyer/wallet/"))
    page.locator("input[value='jcb-3333']").check()
    screenshots(page, "amazon-wallet-another-method")
    page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/order/.+/complete/$"))
    assert page.locator("[data-order-confirmed]").is_visible()
    screenshots(page, "order-confirmed")
    assert page.errors == []


def test_the_shop_speaks_the_browsers_language(
    shop: DemoServer, browser: Any, screenshots: Any
) -> None:
    page = _new_page(browser, locale="ja-JP")
    page.goto(shop.url)
    assert page.get_by_role("button", name="カートに入れる").first.is_visible()
    assert "煎茶" in page.content()
    page.locator("[data-sku='TOWEL-003'] button").click()
    page.locator("[data-checkout-link]").click()
    page.wait_for_url(re.compile(r"/checkout/$"))
    assert "Amazon Pay で支払う" in page.locator("[data-amazon-pay-button]").inner_text()
    screenshots(page, "checkout-ja")
    _sign_in_with_amazon(page, screenshots)
    assert "お支払い方法 (Amazon Pay)" in page.locator("[data-amazon-pay-wallet]").inner_text()
    _place_order(page, screenshots)
    page.wait_for_url(re.compile(r"/order/.+/complete/$"))
    assert "ご注文が確定しました" in page.locator("[data-order-confirmed]").inner_text()
    screenshots(page, "order-confirmed-ja")
    assert page.errors == []


def test_a_reload_resumes_the_checkout_without_the_token(
    shop: DemoServer, browser: Any, screenshots: Any
) -> None:
    page = _new_page(browser)
    _fill_cart_and_check_out(page, shop, screenshots, "TEA-001")
    _sign_in_with_amazon(page, screenshots)
    page.wait_for_function("!document.querySelector('[data-place-order]').disabled")
    _token_stayed_out_of_urls(page, shop)
    page.reload()  # the history entry has the id only: this session's checkout is read again
    assert page.evaluate("window.djangoAmazonPay.accessToken") == ""
    page.wait_for_function("!document.querySelector('[data-place-order]').disabled")
    assert page.locator("[data-total]").inner_text() == "¥1,800"  # 1200 + 600 to Tokyo
    _place_order(page, screenshots)
    page.wait_for_url(re.compile(r"/order/.+/complete/$"))
    assert page.locator("[data-order-confirmed]").is_visible()
    assert page.errors == []
