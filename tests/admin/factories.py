"""Rows written straight to the database, for pages that only read (query counts, search)."""

from __future__ import annotations

from decimal import Decimal

from django_amazonpay.models import (
    Authorization,
    Capture,
    MwsCall,
    OrderItem,
    OrderReference,
    Refund,
    StateTransition,
)


def order_with_payments(
    n: int, *, children: int = 1, environment: str = "Sandbox", email: str = ""
) -> OrderReference:
    """Order reference number `n` with `children` authorizations, each captured and refunded,
    `children` items, and every object's transitions."""
    oro_id = f"S03-{n:07d}-0000000"
    oro = OrderReference.objects.create(
        amazon_order_reference_id=oro_id,
        seller_order_id=f"shop-{n}",
        amount=Decimal("6500"),
        currency="JPY",
        state="Open",
        buyer_name="吉田一郎",
        buyer_email=email or f"buyer{n}@example.com",
        destination={"name": "吉田一郎", "state_or_region": "東京都", "postal_code": "1500001"},
        release_environment=environment,
        shipping_fee=Decimal("500"),
        discount=Decimal("1000"),
    )
    _transition(oro, "order_reference", oro_id, "Draft", "Open")
    for i in range(1, children + 1):
        OrderItem.objects.create(
            order_reference=oro, position=i, title=f"Tシャツ {i}", unit_price=1, line_total=1,
            currency="JPY",
        )  # fmt: skip
        auth = Authorization.objects.create(
            order_reference=oro, attempt=i, attempt_state="done", currency="JPY",
            amazon_authorization_id=f"{oro_id}-A{i:03d}", amount=Decimal("100"),
            authorization_reference_id=f"{oro_id}-A{i}", state="Closed",
            captured_amount=Decimal("100"),
        )  # fmt: skip
        cap = Capture.objects.create(
            order_reference=oro, authorization=auth, currency="JPY", attempt_state="done",
            amazon_capture_id=f"{oro_id}-C{i:03d}", capture_reference_id=f"{oro_id}-A{i}-C1",
            amount=Decimal("100"), state="Completed",
        )  # fmt: skip
        ref = Refund.objects.create(
            order_reference=oro, capture=cap, currency="JPY", attempt_state="done",
            amazon_refund_id=f"{oro_id}-R{i:03d}", refund_reference_id=f"{oro_id}-A{i}-C1-R1",
            amount=Decimal("10"), state="Completed",
        )  # fmt: skip
        _transition(auth, "authorization", auth.amazon_authorization_id, "Open", "Closed")
        _transition(cap, "capture", cap.amazon_capture_id, "", "Completed")
        _transition(ref, "refund", ref.amazon_refund_id, "Pending", "Completed")
        MwsCall.objects.create(operation="Capture", object_id=auth.amazon_authorization_id,
                               outcome="ok", request_id=f"req-{n}-{i}")  # fmt: skip
    return oro


def _transition(obj: object, kind: str, object_id: str, old: str, new: str) -> None:
    oro = obj if isinstance(obj, OrderReference) else obj.order_reference  # type: ignore[attr-defined]
    StateTransition.objects.create(
        object_kind=kind,
        object_id=object_id,
        order_reference=oro,
        authorization=obj if isinstance(obj, Authorization) else None,
        capture=obj if isinstance(obj, Capture) else None,
        refund=obj if isinstance(obj, Refund) else None,
        from_state=old,
        to_state=new,
        source="response",
        request_id=f"req-{object_id}",
    )
