"""A storefront as a host shop builds it: a checkout page with the widget tags, the API, and
the simulator mounted on the same site (tests/security/test_logs.py serves it on a socket)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.urls import include, path

from django_amazonpay.sandbox.urls import simulator_urls

CURRENT: dict = {}
PAGE = """{% load amazon_pay %}<!DOCTYPE html><html><body>
{% amazon_pay_script %}
<section data-sign-in>{% amazon_pay_button %}</section>
<section data-widgets hidden>{% amazon_pay_address_book %}{% amazon_pay_wallet %}</section>
</body></html>"""


def checkout(request: HttpRequest) -> HttpResponse:
    get_token(request)  # the widgets' script posts with the CSRF cookie (docs/widgets.md)
    return HttpResponse(engines["django"].from_string(PAGE).render({}, request))


urlpatterns = [
    path("checkout/", checkout),
    path("amazon-pay/api/", include("django_amazonpay.api.urls")),
    path("amazonpay-sandbox/", include(simulator_urls(lambda: CURRENT["sim"]))),
]
