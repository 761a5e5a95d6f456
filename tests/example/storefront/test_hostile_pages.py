"""The shop's own pages never answer a server error, whatever the URL or the form holds
(NUL bytes, control characters, huge numbers, unknown SKUs), on SQLite and PostgreSQL."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tests.hostile_settings import hostile_settings

HYPOTHESIS = hostile_settings(80)
NASTY = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["\x00", "TEA-001\x00", "TEA-001", "9" * 5000, "-1", "1e9", "１", "../x"]),
)


def test_every_page_answers_hostile_paths(buyer) -> None:
    buyer.add("TEA-001")

    @HYPOTHESIS
    @given(part=NASTY, method=st.sampled_from(["get", "post"]))
    def check(part: str, method: str) -> None:
        segment = quote(part, safe="")
        for url in (f"/cart/add/{segment}/", f"/order/{segment}/complete/"):
            response = getattr(buyer.client, method)(url)
            assert response.status_code < 500, (url, response.status_code)

    check()


def test_the_cart_form_answers_hostile_fields(buyer) -> None:
    buyer.add("TEA-001")

    @HYPOTHESIS
    @given(fields=st.dictionaries(st.one_of(NASTY, NASTY.map(lambda s: "qty-" + s)), NASTY))
    def check(fields: dict[str, str]) -> None:
        assert buyer.client.post("/cart/", fields).status_code < 500
        for page in ("/cart/", "/checkout/", "/"):
            assert buyer.client.get(page).status_code < 500, page

    check()


@pytest.mark.parametrize("sku", ["TEA-001\x00", "\x00", "x" * 40])
def test_a_hostile_sku_never_reaches_the_cart(buyer, sku) -> None:
    buyer.client.post("/cart/", {f"qty-{sku}": "3"})
    assert "cart" not in buyer.client.session or sku not in buyer.client.session["cart"]
    assert Client().get("/cart/").status_code == 200
