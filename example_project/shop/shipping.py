"""Shipping fee by prefecture (pure functions: no Django needed)."""

from __future__ import annotations

from decimal import Decimal

#: zone -> fee in JPY
ZONE_FEES = {
    "hokkaido": Decimal("1200"),
    "tohoku": Decimal("900"),
    "kanto": Decimal("600"),
    "chubu": Decimal("700"),
    "kansai": Decimal("800"),
    "chugoku": Decimal("900"),
    "shikoku": Decimal("900"),
    "kyushu": Decimal("1000"),
    "okinawa": Decimal("1500"),
}
ZONES = {
    "hokkaido": ["北海道"],
    "tohoku": ["青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県"],
    "kanto": ["茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県"],
    "chubu": ["新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県",
              "愛知県"],
    "kansai": ["三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県"],
    "chugoku": ["鳥取県", "島根県", "岡山県", "広島県", "山口県"],
    "shikoku": ["徳島県", "香川県", "愛媛県", "高知県"],
    "kyushu": ["福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県"],
    "okinawa": ["沖縄県"],
}  # fmt: skip
PREFECTURE_ZONES = {pref: zone for zone, prefs in ZONES.items() for pref in prefs}
#: unknown or foreign address: the highest domestic fee
DEFAULT_FEE = max(ZONE_FEES.values())
FREE_SHIPPING_FROM = Decimal("10000")


def shipping_fee(prefecture: str, subtotal: Decimal) -> Decimal:
    """The fee to ship to `prefecture` (Amazon's StateOrRegion) an order of `subtotal` JPY."""
    if subtotal >= FREE_SHIPPING_FROM:
        return Decimal("0")
    zone = PREFECTURE_ZONES.get(prefecture.strip())
    return ZONE_FEES[zone] if zone else DEFAULT_FEE
