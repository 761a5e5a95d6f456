"""The simulator's front page: GET `/` or `/sandbox/` shows what it holds; POST `/` is MWS's."""

from __future__ import annotations

from django_amazonpay.sandbox.index import LATEST

from .test_protocol import error_of


def base(sim) -> str:
    return f"https://{sim.region.host}"


def test_front_page_counts_and_lists_the_newest_order_references(sim, session):
    ids = [sim.create_order_reference() for _ in range(LATEST + 2)]
    sim.faults.inject("Authorize", "http_503")
    page = session.get(base(sim) + "/")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    html = page.text
    assert f"Seller {sim.seller_id}, region jp." in html
    assert f'<th scope="row">OrderReference</th><td>{LATEST + 2}</td>' in html
    assert "1 fault waiting." in html
    listed = [oid for oid in ids if f'/sandbox/objects/{oid}"' in html]
    assert len(listed) == LATEST and ids[0] not in listed and ids[-1] in listed
    assert session.get(base(sim) + "/sandbox/").text == html


def test_front_page_escapes_what_it_shows(sim, session):
    sim.create_order_reference()
    html = session.get(base(sim) + "/sandbox").text
    assert "<script" not in html
    assert "&#x27;" in html or "&quot;" in html  # the control descriptions are escaped text


def test_other_methods_on_the_root_are_still_mws_invalid_address(sim, session):
    r = session.post(base(sim) + "/", data={"Action": "GetServiceStatus"})
    assert r.status_code == 404
    assert error_of(r)[1] == "InvalidAddress"
