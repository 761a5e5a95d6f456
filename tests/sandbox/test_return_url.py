"""return_url is a same-site path on every buyer page: anything that could leave the site is a
400 page, never a redirect; the token comes back in the fragment, never in the query."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

BAD = [
    "https://evil.example/",
    "http://evil.example/checkout/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example\\",
    "/checkout\\..\\..",
    "/\t/evil.example",
    "/ /evil.example",
    " /checkout/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http:/evil.example",
    "https:evil.example",
    "evil.example",
    "checkout/",
    "",
    "/checkout/\x00",
    "/checkout/\r\nSet-Cookie: a=b",
    "/checkout/\x7f",
    "/checkout/#access_token=planted",
    "/" + "a" * 2100,
]
GOOD = ["/", "/checkout/", "/checkout/?step=2&x=%2F%2Fevil", "/%2F%2Fevil.example/", "/a:b/c"]


@pytest.fixture
def base(sim: Any) -> str:
    return f"https://{sim.region.host}/sandbox/buyer"


def _requests(sim: Any, base: str, return_url: str) -> list[tuple[str, str, dict]]:
    oro = sim.create_order_reference(payment_method="decline-invalid-payment-method")
    form = {"return_url": return_url, "buyer": "0", "address": "0", "payment_method": "jcb-3333"}
    return [
        ("GET", base + "/sign-in", {"return_url": return_url}),
        ("GET", base + "/address", {"return_url": return_url, "buyer": "0"}),
        ("GET", base + "/wallet", {"return_url": return_url, "buyer": "0", "address": "0"}),
        ("POST", base + "/wallet", form),
        ("GET", base + f"/wallet/{oro}", {"return_url": return_url}),
        ("POST", base + f"/wallet/{oro}", {"return_url": return_url, "payment_method": "jcb-3333"}),
    ]


@pytest.mark.parametrize("return_url", BAD, ids=repr)
def test_a_return_url_that_could_leave_the_site_is_a_400_page(sim, session, base, return_url):
    for method, url, data in _requests(sim, base, return_url):
        if method == "GET":
            r = session.get(url, params=data, allow_redirects=False)
        else:
            r = session.post(url, data=data, allow_redirects=False)
        assert r.status_code == 400, (method, url, r.status_code)
        assert "Location" not in r.headers
        assert r.headers["Content-Type"].startswith("text/html")
        assert "return_url must be a path of this site" in r.text
    (only,) = sim.engine.store.orders.values()  # the one made above: no wallet POST created one
    assert only.payment_method == "decline-invalid-payment-method"  # nor changed its method


@pytest.mark.parametrize("return_url", GOOD)
def test_a_same_site_path_is_where_the_buyer_goes_back(sim, session, base, return_url):
    form = {"return_url": return_url, "buyer": "0", "address": "0", "payment_method": "jcb-3333"}
    r = session.post(base + "/wallet", data=form, allow_redirects=False)
    assert r.status_code == 302
    location = r.headers["Location"]
    path, _, fragment = location.partition("#")
    assert path == return_url
    assert "access_token" not in path and "Atza" not in path
    back = parse_qs(fragment)
    assert back["access_token"][0].startswith("Atza|")
    assert sim.get_object(back["amazon_order_reference_id"][0])["payment_method"] == "jcb-3333"


def test_a_path_with_japanese_goes_back_percent_encoded(sim, session, base):
    form = {"return_url": "/注文/?q=お茶", "buyer": "0", "address": "0"}
    r = session.post(base + "/wallet", data=form, allow_redirects=False)
    assert r.status_code == 302
    location = r.headers["Location"]
    assert location.isascii()
    assert urlsplit(location).path == "/%E6%B3%A8%E6%96%87/"


def test_the_standalone_server_may_be_told_the_shops_origin(amazon_pay_simulator_credentials):
    import requests

    from django_amazonpay.sandbox.simulator import Simulator

    sim = Simulator(**amazon_pay_simulator_credentials, return_origins=["http://shop.test:8000/"])
    session = requests.Session()
    sim.mount(session)
    base = f"https://{sim.region.host}/sandbox/buyer/wallet"
    form = {"buyer": "0", "address": "0"}
    ok = session.post(base, data={**form, "return_url": "http://shop.test:8000/checkout/"},
                      allow_redirects=False)  # fmt: skip
    assert ok.status_code == 302
    assert ok.headers["Location"].startswith("http://shop.test:8000/checkout/#")
    for other in ("http://shop.test/checkout/", "https://shop.test:8000/", "http://shop.test:8000",
                  "http://shop.test:8000.evil/", "http://shop.test:8000@evil/",
                  "http://shop.test:8000//evil/", "http://shop.test:8000/\\evil"):  # fmt: skip
        refused = session.post(base, data={**form, "return_url": other}, allow_redirects=False)
        assert refused.status_code == 400, other
    with pytest.raises(ValueError):
        Simulator(**amazon_pay_simulator_credentials, return_origins=["shop.test"])
