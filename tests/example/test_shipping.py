"""Shipping fee by prefecture (pure function of the example shop)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from shop.shipping import DEFAULT_FEE, FREE_SHIPPING_FROM, PREFECTURE_ZONES, shipping_fee


def test_all_47_prefectures_have_a_zone() -> None:
    assert len(PREFECTURE_ZONES) == 47


@pytest.mark.parametrize(
    ("prefecture", "fee"),
    [("東京都", "600"), ("大阪府", "800"), ("北海道", "1200"), ("沖縄県", "1500"),
     ("福岡県", "1000"), (" 愛知県 ", "700")],
)  # fmt: skip
def test_fee_by_zone(prefecture: str, fee: str) -> None:
    assert shipping_fee(prefecture, Decimal("3000")) == Decimal(fee)


def test_unknown_or_foreign_address_pays_the_highest_fee() -> None:
    assert shipping_fee("", Decimal("3000")) == DEFAULT_FEE
    assert shipping_fee("WA", Decimal("3000")) == DEFAULT_FEE


def test_free_from_the_threshold() -> None:
    assert shipping_fee("沖縄県", FREE_SHIPPING_FROM) == 0
    assert shipping_fee("沖縄県", FREE_SHIPPING_FROM - 1) == Decimal("1500")
