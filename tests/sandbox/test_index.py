"""The simulator's front page: GET `/` or `/sandbox/` shows counts and addresses, nothing of
any buyer and no order reference id; POST `/` is MWS's."""

from __future__ import annotations

import re

from .test_protocol import error_of

BUYER = {"Name": "見本太郎", "Email": "taro.sample@example.jp"}
ADDRESS = {"Name": "見本太郎", "AddressLine1": "千代田区見本1-2-3", "StateOrRegion": "東京都",
           "PostalCode": "1000001", "CountryCode": "JP", "Phone": "03-0000-1234"}  # fmt: skip


def base(sim) -> str:
    return f"https://{sim.region.host}"


def test_front_page_counts_objects_and_names_nothing(sim, session):
    ids = [sim.create_order_reference(buyer=BUYER, address=ADDRESS) for _ in range(3)]
    sim.faults.inject("Authorize", "http_503")
    page = session.get(base(sim) + "/")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    html = page.text
    assert f"Seller {sim.seller_id}, region jp." in html
    assert '<th scope="row">OrderReference</th><td>3</td>' in html
    assert "1 fault waiting." in html
    for oro_id in ids:
        assert oro_id not in html
    assert not re.search(r"[SP]\d{2}-\d{7}-\d{7}", html)  # no id at all: none can be claimed
    for value in (*BUYER.values(), ADDRESS["AddressLine1"], ADDRESS["Phone"]):
        assert value not in html
    assert session.get(base(sim) + "/sandbox/").text == html


def test_front_page_lists_the_endpoints_and_how_to_reach_the_controls(sim, session):
    html = session.get(base(sim) + "/sandbox").text
    for route in ("/OffAmazonPayments_Sandbox/2013-01-01", "/sandbox/state", "/sandbox/reset",
                  "/sandbox/faults/clear", "/sandbox/sns/cert.pem"):  # fmt: skip
        assert route in html
    assert "X-Simulator-Token" in html


def test_front_page_escapes_what_it_shows(sim, session):
    sim.create_order_reference()
    html = session.get(base(sim) + "/sandbox").text
    assert "<script" not in html
    assert "&#x27;" in html or "&quot;" in html  # the control descriptions are escaped text


def test_other_methods_on_the_root_are_still_mws_invalid_address(sim, session):
    r = session.post(base(sim) + "/", data={"Action": "GetServiceStatus"})
    assert r.status_code == 404
    assert error_of(r)[1] == "InvalidAddress"
