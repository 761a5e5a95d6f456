"""Refund a capture, by amount or by order items, within Amazon's limits (spec 2.4, 3.7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from ..amounts import Amount
from ..client import get_client
from ..conf import get_settings
from ..models import Capture, OrderItem, Refund
from ..states import AttemptState, CaptureState, RefundState
from .attempts import IN_FLIGHT, call_and_apply, check_notes, parse_amount, reference_id
from .errors import AmountExceededError, InvalidAmountError, InvalidStateError, LimitReachedError
from .locking import locked_order_reference

MAX_REFUNDS = 10  # per capture (spec 3.7)

#: an item to refund: an OrderItem (all of its quantity) or (OrderItem, quantity)
RefundItem = OrderItem | tuple[OrderItem, int]


@dataclass
class RefundResult:
    """outcome: "pending" (always first, spec 2.4), "completed", "declined", "in_doubt"."""

    refund: Refund
    outcome: str
    repeated: bool = False


def _outcome(ref: Refund) -> str:
    if ref.attempt_state in IN_FLIGHT:
        return "in_doubt"
    return {
        RefundState.PENDING: "pending",
        RefundState.COMPLETED: "completed",
        RefundState.DECLINED: "declined",
    }.get(ref.state, "failed")


def _send(ref: Refund) -> Any:
    return lambda: get_client().refund(
        ref.capture.amazon_capture_id,
        refund_reference_id=ref.refund_reference_id,
        amount=Amount(ref.amount, ref.currency),
        seller_refund_note=ref.seller_note or None,
        soft_descriptor=ref.soft_descriptor or None,
    )


def _find(ref: Refund) -> Any:
    return lambda: get_client().find_refund(ref.capture.amazon_capture_id, ref.refund_reference_id)


def reconcile_refund(ref: Refund) -> Refund:
    call_and_apply(ref, _send(ref), _find(ref), reconcile=True)
    ref.refresh_from_db()
    return ref


def _items_amount(cap: Capture, items: Sequence[RefundItem]) -> tuple[Decimal, list[dict]]:
    total, lines = Decimal("0"), []
    for entry in items:
        item, quantity = entry if isinstance(entry, tuple) else (entry, entry.quantity)
        if item.order_reference_id != cap.order_reference_id:
            raise InvalidAmountError(f"item {item.pk} is not part of order reference {cap}")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise InvalidAmountError(f"item {item.pk}: quantity must be a whole number >= 1")
        if quantity > item.quantity:
            raise InvalidAmountError(f"item {item.pk}: only {item.quantity} were ordered")
        line = item.unit_price * quantity
        total += line
        lines.append({"order_item": item.pk, "quantity": quantity, "amount": str(line)})
    return total, lines


def refund(
    capture: Capture,
    *,
    amount: Decimal | str | int | None = None,
    items: Sequence[RefundItem] | None = None,
    seller_note: str = "",
    soft_descriptor: str | None = None,
    source: str = "api",
) -> RefundResult:
    """Refund `amount`, or the price of `items`, or (neither) all that is still refundable.

    Cumulative refunds stay within captured + min(15 %, cap) and 10 refunds per capture
    (spec 3.7), checked before calling. A concurrent call returns the refund in flight.
    """
    if amount is not None and items is not None:
        raise InvalidAmountError("give an amount or items, not both")
    check_notes(seller_note, soft_descriptor)
    with locked_order_reference(capture.order_reference_id) as oro:
        cap = Capture.objects.get(pk=capture.pk)
        existing = cap.refunds.filter(attempt_state__in=IN_FLIGHT).first()
        if existing is None:
            if cap.state != CaptureState.COMPLETED:
                raise InvalidStateError(
                    f"capture {cap} is {cap.state or 'unknown'}: only Completed captures "
                    "can be refunded (spec 3.4)"
                )
            refunds = cap.refunds.exclude(attempt_state=AttemptState.FAILED).exclude(
                state=RefundState.DECLINED
            )
            if refunds.count() >= MAX_REFUNDS:
                raise LimitReachedError(f"capture {cap} already has {MAX_REFUNDS} refunds")
            refunded = refunds.aggregate(s=Sum("amount"))["s"] or Decimal("0")
            lines: list[dict] = []
            if items is not None:
                value, lines = _items_amount(cap, items)
                value = parse_amount(value, cap.currency)
            elif amount is not None:
                value = parse_amount(amount, cap.currency)
            else:
                value = cap.amount - refunded
                if value <= 0:
                    raise InvalidStateError(f"capture {cap} is refunded in full")
            allowance = get_settings().region.allowance(cap.amount)
            if refunded + value > cap.amount + allowance:
                raise AmountExceededError(
                    f"refunds of {cap} would reach {refunded + value} {cap.currency}: at most "
                    f"{cap.amount} + {allowance} {cap.currency} may be refunded (spec 3.7)"
                )
            n = cap.refunds.order_by("-attempt").values_list("attempt", flat=True).first() or 0
            n += 1
            ref = Refund.objects.create(
                order_reference=oro,
                capture=cap,
                attempt=n,
                refund_reference_id=reference_id(cap.capture_reference_id, "R", n),
                amount=value,
                currency=cap.currency,
                seller_note=seller_note,
                soft_descriptor=soft_descriptor or "",
                items=lines,
            )
    if existing is not None:
        ref = reconcile_refund(existing)
        return RefundResult(ref, _outcome(ref), repeated=True)
    call_and_apply(ref, _send(ref), _find(ref), reconcile=False, source=source)
    ref.refresh_from_db()
    return RefundResult(ref, _outcome(ref))
