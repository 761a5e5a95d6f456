"""The MWS Orders section: ListOrderItems / ListOrderItemsByNextToken (spec 7, seed 002)."""

from __future__ import annotations

import base64
import copy
import json
import threading
from collections.abc import Mapping
from typing import Any

from .errors import SimulatorError
from .responses import ORDERS_NS, element

#: Elements hidden while an order is Pending: no pricing, tax, shipping, gift-wrap or promotion
#: data (spec 7; seed 002 says the same in Japanese).
PENDING_HIDDEN = frozenset(
    {
        "ItemTax",
        "GiftWrapPrice",
        "ItemPrice",
        "PromotionDiscount",
        "GiftWrapTax",
        "ShippingTax",
        "ShippingPrice",
        "ShippingDiscount",
    }
)
STATUSES = frozenset({"Pending", "Unshipped", "PartiallyShipped", "Shipped", "Canceled"})
#: Page size and NextToken lifetime are **unconfirmed** (spec 7): 2 by default, configurable.
DEFAULT_PAGE_SIZE = 2


def _jpy(amount: str) -> dict[str, str]:
    return {"CurrencyCode": "JPY", "Amount": amount}


#: Seed 002's example response, values copied as given. Two artefacts of the doc page are
#: cleaned: the line break inside CustomizedURL and the trailing spaces after the dates. The
#: seed's "2013-09-071" typo is kept: it is what the example says.
SEED_ORDER_ID = "058-1233752-8214740"
SEED_ITEMS: list[dict[str, Any]] = [
    {
        "ASIN": "BT0093TELA",
        "OrderItemId": "68828574383266",
        "BuyerCustomizedInfo": {
            "CustomizedURL": "https://zme-caps.amazon.com/t/bR6qHkzSOxuB/"
            "J8nbWhze0Bd3DkajkOdY-XQbWkFralegp2sr_QZiKEE/1"
        },
        "SellerSKU": "CBA_OTF_1",
        "Title": "Example item name",
        "QuantityOrdered": "1",
        "QuantityShipped": "1",
        "ProductInfo": {"NumberOfItems": "12"},
        "PointsGranted": {"PointsNumber": "10", "PointsMonetaryValue": _jpy("10.00")},
        "ItemPrice": _jpy("25.99"),
        "ShippingPrice": _jpy("1.26"),
        "ScheduledDeliveryEndDate": "2013-09-09T01:30:00.000-06:00",
        "ScheduledDeliveryStartDate": "2013-09-071T02:00:00.000-06:00",
        "CODFee": _jpy("10.00"),
        "CODFeeDiscount": _jpy("1.00"),
        "IsGift": "false",
        "GiftMessageText": "For you!",
        "GiftWrapPrice": _jpy("1.99"),
        "GiftWrapLevel": "Classic",
        "PriceDesignation": "BusinessPrice",
    },
    {
        "ASIN": "BCTU1104UEFB",
        "OrderItemId": "79039765272157",
        "SellerSKU": "CBA_OTF_5",
        "Title": "Example item name",
        "QuantityOrdered": "2",
        "ItemPrice": _jpy("17.95"),
        "PromotionIds": {"PromotionId": ["FREESHIP"]},
        "ConditionId": "Used",
        "ConditionSubtypeId": "Mint",
        "ConditionNote": "Example ConditionNote",
        "IsGift": "false",
        "PriceDesignation": "BusinessPrice",
        "TaxCollection": {
            "Model": "MarketplaceFacilitator",
            "ResponsibleParty": "Amazon Services, Inc.",
        },
    },
]


class OrdersBook:
    """Orders and their items, keyed by AmazonOrderId. Items are dicts of MWS element names."""

    def __init__(self, page_size: int = DEFAULT_PAGE_SIZE) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.page_size = page_size
        self._lock = threading.Lock()
        self._orders: dict[str, dict[str, Any]] = {}
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._orders = {
                SEED_ORDER_ID: {"status": "Unshipped", "items": copy.deepcopy(SEED_ITEMS)}
            }

    def add_order(
        self, amazon_order_id: str, items: list[Mapping[str, Any]], status: str = "Unshipped"
    ) -> None:
        """Add or replace an order. Each item needs ASIN, OrderItemId and QuantityOrdered."""
        if status not in STATUSES:
            raise ValueError(f"unknown order status {status!r}; use one of {sorted(STATUSES)}")
        for item in items:
            missing = {"ASIN", "OrderItemId", "QuantityOrdered"} - set(item)
            if missing:
                raise ValueError(f"order item lacks {sorted(missing)}")
        with self._lock:
            self._orders[amazon_order_id] = {
                "status": status,
                "items": [copy.deepcopy(dict(item)) for item in items],
            }

    def set_status(self, amazon_order_id: str, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown order status {status!r}")
        with self._lock:
            self._orders[amazon_order_id]["status"] = status

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"page_size": self.page_size, "orders": copy.deepcopy(self._orders)}

    def restore(self, data: Mapping[str, Any]) -> None:
        with self._lock:
            self.page_size = int(data.get("page_size", self.page_size))
            self._orders = copy.deepcopy(dict(data["orders"]))

    # -- the wire ---------------------------------------------------------------------------
    def handle(self, action: str, params: Mapping[str, str], request_id: str) -> str:
        if action == "ListOrderItems":
            order_id = params.get("AmazonOrderId", "")
            if not order_id:
                raise SimulatorError(
                    "MissingParameter", "The parameter AmazonOrderId is required.", 400
                )
            offset = 0
        elif action == "ListOrderItemsByNextToken":
            order_id, offset = self._decode_token(params.get("NextToken", ""))
        else:
            # Unknown operation in a known section: MWS "InvalidAddress" (spec 4); **unconfirmed**.
            raise SimulatorError("InvalidAddress", f"Invalid operation: {action}", 404)
        with self._lock:
            order = self._orders.get(order_id)
            if order is None:
                # The error for an unknown order is **unconfirmed** (spec 7): MWS's generic one.
                raise SimulatorError(
                    "InvalidParameterValue", f"Invalid AmazonOrderId: {order_id}", 400
                )
            items = order["items"]
            page = items[offset : offset + self.page_size]
            pending = order["status"] == "Pending"
            more = offset + self.page_size < len(items)
        parts = []
        if more:
            parts.append(
                element("NextToken", self._encode_token(order_id, offset + self.page_size))
            )
        parts.append(element("AmazonOrderId", order_id))
        rendered = []
        for item in page:
            shown = {k: v for k, v in item.items() if not (pending and k in PENDING_HIDDEN)}
            rendered.append(element("OrderItem", shown))
        parts.append(f"<OrderItems>{''.join(rendered)}</OrderItems>")
        return (
            f'<?xml version="1.0"?>\n<{action}Response xmlns="{ORDERS_NS}">'
            f"<{action}Result>{''.join(parts)}</{action}Result>"
            f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
            f"</{action}Response>"
        )

    @staticmethod
    def _encode_token(order_id: str, offset: int) -> str:
        # Stateless and opaque enough; never expires (lifetime **unconfirmed**, spec 7).
        raw = json.dumps({"o": order_id, "n": offset}, separators=(",", ":"))
        return base64.b64encode(raw.encode("utf-8")).decode("ascii")

    @staticmethod
    def _decode_token(token: str) -> tuple[str, int]:
        if not token:
            raise SimulatorError("MissingParameter", "The parameter NextToken is required.", 400)
        try:
            data = json.loads(base64.b64decode(token, validate=True))
            return str(data["o"]), int(data["n"])
        except (ValueError, KeyError, TypeError):
            raise SimulatorError("InvalidParameterValue", "Invalid NextToken.", 400) from None
