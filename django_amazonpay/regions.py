"""What a region decides: host, currency, marketplace, amount limits and id prefix.

The shop sets a region; everything else follows from this table (spec 1.1, 2.2, 3.7, 7).
Pure data: imported by conf, mws/ and the sandbox alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

PAYMENTS_VERSION = "2013-01-01"
ORDERS_VERSION = "2013-09-01"
PAYMENTS_PATH_LIVE = "/OffAmazonPayments/2013-01-01"
PAYMENTS_PATH_SANDBOX = "/OffAmazonPayments_Sandbox/2013-01-01"
ORDERS_PATH = "/Orders/2013-09-01"


@dataclass(frozen=True)
class Region:
    code: str
    host: str
    currency: str
    marketplace_id: str
    #: largest single Authorize / Capture / Refund amount (spec 3.7)
    max_transaction_amount: Decimal
    #: cap of the over-charge allowance: min(15 %, cap) above a total or a capture (spec 3.7)
    allowance_cap: Decimal
    #: the two digits after S/P in an order reference id (spec 2.2, inferred from examples)
    id_prefix: str

    def allowance(self, base: Decimal) -> Decimal:
        """How much above `base` Amazon lets a shop charge or refund: min(15 %, cap)."""
        return min(base * Decimal("0.15"), self.allowance_cap)


REGIONS: dict[str, Region] = {
    "us": Region(
        "us",
        "mws.amazonservices.com",
        "USD",
        "ATVPDKIKX0DER",
        Decimal("150000"),
        Decimal("75"),
        "01",
    ),
    "uk": Region(
        "uk",
        "mws-eu.amazonservices.com",
        "GBP",
        "A1F83G8C2ARO7P",
        Decimal("150000"),
        Decimal("75"),
        "02",
    ),
    "de": Region(
        "de",
        "mws-eu.amazonservices.com",
        "EUR",
        "A1PA6795UKMFR9",
        Decimal("150000"),
        Decimal("75"),
        "02",
    ),
    "jp": Region(
        "jp",
        "mws.amazonservices.jp",
        "JPY",
        "A1VC38T7YXB528",
        Decimal("10000000"),
        Decimal("8400"),
        "03",
    ),
}


def get_region(code: str) -> Region:
    """The region for a code (case-insensitive); KeyError names the known codes."""
    try:
        return REGIONS[code.lower()]
    except KeyError:
        raise KeyError(f"unknown region {code!r}; use one of {sorted(REGIONS)}") from None
