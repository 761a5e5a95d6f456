"""What a notification names, and the read from Amazon that answers it.

A notification is a hint, never the truth: nothing of its payload is applied. Its ids name
an object; a row of ours is refreshed from Amazon (services.refreshing.refresh, source
"ipn"), an object under one of our order references that we do not hold yet is found by
reconciling that order reference, and anything else is not ours and costs no call. See
docs/ipn.md, Hints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..models import Authorization, Capture, OrderReference, Refund
from ..mws.types import AuthorizationDetails, CaptureDetails, OrderReferenceDetails, RefundDetails
from ..services.reconciling import reconcile_order
from ..services.refreshing import refresh
from ..services.sync import amazon_id
from .parsing import ChargebackDetails, Notification

#: an order reference id; authorization, capture and refund ids start with theirs
#: (docs/ipn.md, Hints)
ORDER_REFERENCE_ID = re.compile(r"[SP]\d{2}-\d{7}-\d{7}", re.ASCII)
#: where each kind's Amazon id is stored
ID_FIELDS: dict[type, str] = {
    OrderReference: "amazon_order_reference_id",
    Authorization: "amazon_authorization_id",
    Capture: "amazon_capture_id",
    Refund: "amazon_refund_id",
}


@dataclass(frozen=True)
class Hint:
    """The object a notification names: its model, its Amazon id, and its order reference's."""

    model: type
    amazon_id: str
    order_reference_id: str
    #: a chargeback names its capture by Amazon id or by our capture reference id
    capture_reference: str = ""


@dataclass(frozen=True)
class Read:
    """The one read that answers a hint: refresh `row`, or reconcile `order_reference`."""

    target: str
    row: Any = None
    order_reference: OrderReference | None = None


def _order_reference_of(object_id: str | None) -> str:
    match = ORDER_REFERENCE_ID.match(object_id or "")
    return match.group() if match else ""


def hint_of(notification: Notification) -> Hint | None:
    """The object a payment or chargeback notification names; None for any other type."""
    d = notification.details
    if isinstance(d, OrderReferenceDetails):
        oro_id = d.amazon_order_reference_id
        return Hint(OrderReference, oro_id, _order_reference_of(oro_id))
    if isinstance(d, AuthorizationDetails):
        return Hint(
            Authorization, d.amazon_authorization_id, _order_reference_of(d.amazon_authorization_id)
        )
    if isinstance(d, CaptureDetails):
        return Hint(Capture, d.amazon_capture_id, _order_reference_of(d.amazon_capture_id))
    if isinstance(d, RefundDetails):
        return Hint(Refund, d.amazon_refund_id, _order_reference_of(d.amazon_refund_id))
    if isinstance(d, ChargebackDetails):
        ref = d.amazon_capture_reference_id or ""
        oro_id = _order_reference_of(d.amazon_order_reference_id) or _order_reference_of(ref)
        return Hint(Capture, ref, oro_id, capture_reference=ref)
    return None


def find(hint: Hint) -> Any:
    """Our row for the hint, by Amazon id (a chargeback's capture also by our reference id)."""
    if not hint.amazon_id:  # an empty id would match our attempts still in flight
        return None
    row = hint.model.objects.filter(**{ID_FIELDS[hint.model]: hint.amazon_id}).first()
    if row is None and hint.capture_reference:
        row = Capture.objects.filter(capture_reference_id=hint.capture_reference).first()
    return row


def plan(hint: Hint) -> Read | None:
    """The read that answers `hint`, or None when the object is not ours (nothing is read)."""
    row = find(hint)
    if row is not None and amazon_id(row):
        return Read(target=amazon_id(row) or "", row=row)
    if not hint.order_reference_id:
        return None
    order_reference = OrderReference.objects.filter(
        amazon_order_reference_id=hint.order_reference_id
    ).first()
    if order_reference is None:
        return None
    # ours, but not (yet) this object: the order reference's IdLists lead to it
    return Read(target="reconcile:" + hint.order_reference_id, order_reference=order_reference)


def perform(read: Read) -> str:
    """Make the read (throttled like every call of the client) and apply Amazon's answer."""
    if read.row is not None:
        row = refresh(read.row, source="ipn")
        return f"{read.target} read from Amazon: {row.state or '-'}"
    assert read.order_reference is not None
    reconcile_order(read.order_reference)
    return f"{read.target.removeprefix('reconcile:')} reconciled with Amazon"
