"""The simulator mounted in a Django project under a prefix: the signed path keeps the prefix."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import include, path

from django_amazonpay.sandbox.urls import simulator_urls

from .test_protocol import NS, common, error_of, parse, signed

CURRENT: dict = {}
urlpatterns = [path("shop/amazonpay-sim/", include(simulator_urls(lambda: CURRENT["sim"])))]
PREFIX = "/shop/amazonpay-sim"
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def sim(amazon_pay_simulator, amazon_pay_simulator_exposed):
    CURRENT["sim"] = amazon_pay_simulator
    yield amazon_pay_simulator
    CURRENT.clear()


def post(client, sim, signed_path: str, used_path: str | None = None, **extra):
    params = signed(common(sim, "GetOrderReferenceDetails", **extra),
                    sim.credentials[sim.access_key], "POST", "testserver", signed_path)  # fmt: skip
    return client.post(used_path or signed_path, data=urlencode(params),
                       content_type="application/x-www-form-urlencoded")  # fmt: skip


def test_signed_path_includes_the_mount_prefix(client, sim):
    oro = sim.create_order_reference()
    full = PREFIX + "/OffAmazonPayments_Sandbox/2013-01-01"
    r = post(client, sim, full, AmazonOrderReferenceId=oro)
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == "text/xml"
    assert parse(r.content).tag == NS + "GetOrderReferenceDetailsResponse"
    r = post(client, sim, full + "/", AmazonOrderReferenceId=oro)
    assert r.status_code == 200
    # signing only the part after the prefix is a different string to sign: rejected
    r = post(client, sim, "/OffAmazonPayments_Sandbox/2013-01-01", full, AmazonOrderReferenceId=oro)
    assert r.status_code == 403
    assert error_of(r)[1] == "SignatureDoesNotMatch"


def test_buyer_pages_cert_and_faults_through_django(client, sim):
    page = client.get(PREFIX + "/sandbox/buyer/sign-in", {"return_url": "/checkout/"})
    assert page.status_code == 200
    assert "吉田一郎" in page.content.decode()
    cert = client.get(PREFIX + "/sandbox/sns/cert.pem")
    assert cert.content.startswith(b"-----BEGIN CERTIFICATE-----")
    assert sim.base_url == "http://testserver" + PREFIX  # IPN SigningCertURL follows the mount
    sim.faults.inject("GetOrderReferenceDetails", "reset")
    oro = sim.create_order_reference()
    r = post(client, sim, PREFIX + "/OffAmazonPayments_Sandbox/2013-01-01",
             AmazonOrderReferenceId=oro)  # fmt: skip
    assert r.status_code == 502 and r.content == b""
    assert client.get(PREFIX + "/nowhere").status_code == 404


def test_buyer_pages_follow_the_active_language(client, sim):
    from django.utils import translation

    with translation.override("ja"):
        page = client.get(PREFIX + "/sandbox/buyer/sign-in", {"return_url": "/checkout/"})
    assert "Amazon でサインイン (サンドボックス)" in page.content.decode()
    assert 'lang="ja"' in page.content.decode()
    with translation.override("en"):
        page = client.get(PREFIX + "/sandbox/buyer/sign-in", {"return_url": "/checkout/"})
    assert "Sign in with Amazon (sandbox)" in page.content.decode()


def test_the_front_page_links_under_the_mount_prefix(client, admin_client, sim):
    oro = sim.create_order_reference()
    page = client.get(PREFIX + "/")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert oro not in html
    assert f'href="{PREFIX}/sandbox/state"' in html
    assert f'href="{PREFIX}/sandbox/sns/cert.pem"' in html
    assert admin_client.get(PREFIX + "/sandbox/objects/" + oro).json()["id"] == oro


def test_the_front_page_speaks_the_requests_language(client, sim):
    from django.utils import translation

    with translation.override("ja"):
        html = client.get(PREFIX + "/sandbox/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "Amazon Pay MWS シミュレーター" in html
