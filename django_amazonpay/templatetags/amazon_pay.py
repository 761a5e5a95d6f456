"""Template tags for the Amazon Pay widgets: `{% load amazon_pay %}`.

    {% amazon_pay_script %}                       once per page, before the widgets
    {% amazon_pay_button return_url %}            the "Amazon Pay" button
    {% amazon_pay_address_book %}                 the address book
    {% amazon_pay_wallet checkout=oro %}          the wallet (read-only once confirmed)

In production they render Amazon's Widgets.js configuration (seller id, client id, region).
When AMAZON_PAY["ENDPOINT"] points at the embedded simulator they render links to the
simulator's buyer pages instead. Both modes tell the page what happened through the same DOM
events on `document` (see docs/widgets.md): `amazonpay:order-reference`,
`amazonpay:address-select`, `amazonpay:payment-select`. The buyer's access token never rides
in a URL a server sees (docs/widgets.md, "How the token comes back").
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import template
from django.http import HttpRequest

from ..api.steps import wallet_mode
from ..conf import get_settings
from ..models import OrderReference

register = template.Library()

#: Widgets.js per region: (sandbox, live) (Amazon Pay integration guides, "Add the widgets")
WIDGETS_JS: dict[str, tuple[str, str]] = {
    "jp": (
        "https://static-fe.payments-amazon.com/OffAmazonPayments/jp/sandbox/lpa/js/Widgets.js",
        "https://static-fe.payments-amazon.com/OffAmazonPayments/jp/lpa/js/Widgets.js",
    ),
    "us": (
        "https://static-na.payments-amazon.com/OffAmazonPayments/us/sandbox/js/Widgets.js",
        "https://static-na.payments-amazon.com/OffAmazonPayments/us/js/Widgets.js",
    ),
    "uk": (
        "https://static-eu.payments-amazon.com/OffAmazonPayments/gbp/sandbox/lpa/js/Widgets.js",
        "https://static-eu.payments-amazon.com/OffAmazonPayments/gbp/lpa/js/Widgets.js",
    ),
    "de": (
        "https://static-eu.payments-amazon.com/OffAmazonPayments/eur/sandbox/lpa/js/Widgets.js",
        "https://static-eu.payments-amazon.com/OffAmazonPayments/eur/lpa/js/Widgets.js",
    ),
}
#: the widgets' language per region
WIDGET_LANGUAGES = {"jp": "ja-JP", "us": "en-US", "uk": "en-GB", "de": "de-DE"}
#: scopes asked at sign-in: the address needs payments:shipping_address
SCOPES = "profile payments:widget payments:shipping_address"


def widget_config() -> dict[str, Any]:
    """What every widget template needs: mode, seller, client, region, URLs."""
    settings = get_settings()
    region = settings.region.code
    simulator = settings.endpoint is not None
    return {
        "mode": "simulator" if simulator else "amazon",
        "simulator": simulator,
        "seller_id": settings.seller_id,
        "client_id": settings.client_id or "",
        "region": region,
        "sandbox": settings.sandbox,
        "language": WIDGET_LANGUAGES[region],
        "widgets_js": WIDGETS_JS[region][0 if settings.sandbox else 1],
        "buyer_url": f"{settings.endpoint.rstrip('/')}/sandbox/buyer" if simulator else "",
        "scopes": SCOPES,
    }


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _return_url(request: HttpRequest | None, url: str) -> str:
    """Where the buyer comes back to after Amazon's (or the simulator's) pages.

    The simulator takes same-site paths only (sandbox/return_urls.py): when it is mounted on
    this site the path is enough. A simulator elsewhere (the standalone server) needs the
    absolute URL and this site's origin among its return origins; so does production, where
    the URL is only where the button's callback sends the browser.
    """
    if request is None:
        return url
    absolute = request.build_absolute_uri(url)
    endpoint = get_settings().endpoint
    if endpoint is not None and _origin(endpoint) == _origin(absolute):
        parts = urlsplit(absolute)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return absolute


def _oro_id(value: OrderReference | str | None) -> str:
    if isinstance(value, OrderReference):
        return value.amazon_order_reference_id
    return value or ""


@register.inclusion_tag("django_amazonpay/widgets/script.html", takes_context=True)
def amazon_pay_script(context: template.Context) -> dict[str, Any]:
    """Widgets.js (or the simulator's stand-in) and the `djangoAmazonPay` helper."""
    return {"amazon_pay": widget_config(), "request": context.get("request")}


@register.inclusion_tag("django_amazonpay/widgets/button.html", takes_context=True)
def amazon_pay_button(
    context: template.Context, return_url: str = "", *, button_type: str = "PwA"
) -> dict[str, Any]:
    """The Amazon Pay button; after sign-in the buyer comes back to `return_url`
    (default: this page)."""
    request = context.get("request")
    url = return_url or (request.get_full_path() if request is not None else "/")
    return {
        "amazon_pay": widget_config(),
        "return_url": _return_url(request, url),
        "button_type": button_type,
    }


@register.inclusion_tag("django_amazonpay/widgets/address_book.html", takes_context=True)
def amazon_pay_address_book(
    context: template.Context, order_reference: OrderReference | str | None = None
) -> dict[str, Any]:
    """The address book; without an order reference it creates one (production)."""
    request = context.get("request")
    here = request.get_full_path() if request is not None else "/"
    return {
        "amazon_pay": widget_config(),
        "order_reference_id": _oro_id(order_reference),
        "sign_in_url": _return_url(request, here.split("?", 1)[0]),
    }


@register.inclusion_tag("django_amazonpay/widgets/wallet.html", takes_context=True)
def amazon_pay_wallet(
    context: template.Context,
    order_reference: OrderReference | str | None = None,
    *,
    read_only: bool | None = None,
    checkout: OrderReference | None = None,
) -> dict[str, Any]:
    """The wallet: editable before confirm and after InvalidPaymentMethod, read-only once
    confirmed (`checkout=` an OrderReference decides; `read_only=` forces it)."""
    request = context.get("request")
    oro = checkout or (order_reference if isinstance(order_reference, OrderReference) else None)
    if read_only is None:
        read_only = oro is not None and wallet_mode(oro) == "read"
    here = _return_url(request, request.path) if request is not None else "/"
    return {
        "amazon_pay": widget_config(),
        "order_reference_id": _oro_id(oro or order_reference),
        "read_only": read_only,
        "return_url": here,
    }
