"""OrdersClient: MWS Orders ListOrderItems, paged with NextToken (spec 7).

Same signing, call funnel and cache as the payments client; both operations draw on one
shared throttle bucket (30, 1 every 2 s; mws/throttle.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..regions import ORDERS_VERSION
from . import parsing as p
from . import validation as v
from .errors import MalformedResponse
from .transport import BaseClient
from .types import OrderItem


class OrdersClient(BaseClient):
    version = ORDERS_VERSION

    @property
    def url(self) -> str:
        return self.config.orders_url

    def list_order_items(self, amazon_order_id: str) -> Iterator[OrderItem]:
        """Every item of the order, following NextToken to the last page.

        Validation happens at the call, not at the first `next()`; pricing fields are None
        while the order is Pending (spec 7).
        """
        oid = v.amazon_order_id(amazon_order_id)
        items, token = self.call(
            "ListOrderItems", {"AmazonOrderId": oid}, p.order_items_page, object_id=oid
        )
        return self._pages(oid, items, token)

    def _pages(self, oid: str, items: list[OrderItem], token: str | None) -> Iterator[OrderItem]:
        seen: set[str] = set()
        while True:
            yield from items
            if not token:
                return
            if token in seen:  # a server repeating a token would loop forever
                raise MalformedResponse(
                    f"NextToken repeated for order {oid}", operation="ListOrderItemsByNextToken"
                )
            seen.add(token)
            items, token = self.call(
                "ListOrderItemsByNextToken", {"NextToken": token}, p.order_items_page,
                object_id=oid,
            )  # fmt: skip
