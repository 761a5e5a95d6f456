"""The demo's products (loaded by `manage.py demo`; running it again updates them)."""

from __future__ import annotations

from decimal import Decimal

from .models import Product

PRODUCTS = [
    ("TEA-001", "Sencha green tea (100 g)", "煎茶 (100 g)",
     "First-flush tea from Shizuoka.", "静岡県産の一番茶です。", "1200"),
    ("CUP-002", "Arita porcelain cup", "有田焼の湯のみ",
     "Hand-painted, made in Saga.", "佐賀県で手描きされた湯のみです。", "3500"),
    ("TOWEL-003", "Imabari towel", "今治タオル",
     "Soft cotton towel from Ehime.", "愛媛県今治市の柔らかい綿のタオルです。", "2000"),
    ("FURO-004", "Furoshiki wrapping cloth", "風呂敷",
     "Cotton, 70 cm, indigo.", "綿 70 cm、藍色。", "2800"),
]  # fmt: skip


def load_products() -> int:
    for sku, name_en, name_ja, desc_en, desc_ja, price in PRODUCTS:
        Product.objects.update_or_create(
            sku=sku,
            defaults={
                "name_en": name_en,
                "name_ja": name_ja,
                "description_en": desc_en,
                "description_ja": desc_ja,
                "price": Decimal(price),
                "is_active": True,
            },
        )
    return len(PRODUCTS)
