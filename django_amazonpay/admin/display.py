"""How amounts and addresses look in the admin."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ..amounts import CURRENCY_EXPONENTS

#: Amazon's Address fields in the order a label prints them (JP: prefecture, then street)
ADDRESS_LINES = (
    ("name",),
    ("postal_code",),
    ("state_or_region", "city", "county", "district"),
    ("address_line1",),
    ("address_line2",),
    ("address_line3",),
    ("country_code",),
    ("phone",),
)


def format_money(value: Decimal | None, currency: str) -> str:
    """`6,500 JPY`, `12.50 USD`: the currency's own number of decimals."""
    if value is None:
        return "-"
    exponent = CURRENCY_EXPONENTS.get(currency, 2)
    return f"{value.quantize(Decimal(1).scaleb(-exponent)):,} {currency}".strip()


def format_address(address: dict | None) -> SafeString | str:
    """Amazon's Address as stored (services.sync.address_to_dict), one line per part."""
    if not address:
        return "-"
    lines = []
    for keys in ADDRESS_LINES:
        line = " ".join(str(address[k]) for k in keys if address.get(k))
        if line:
            lines.append((line,))
    return format_html("<address>{}</address>", format_html_join("", "{}<br>", lines))
