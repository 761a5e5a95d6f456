"""Is the shop's order paid? One rule for the order-complete page and the signal receivers.

Read-only: decides from the mirrored rows (what Amazon last answered), calls nobody. The
rule and why each part of it is there: docs/completing-orders.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from ..amounts import Amount, AmountError
from ..conf import get_settings
from ..models import Authorization, Capture, OrderReference
from ..states import AttemptState, AuthorizationState, CaptureState, OrderReferenceState
from .errors import InvalidAmountError

#: why an order is or is not covered (PaymentStatus.reason)
COVERED = "covered"
NO_CHECKOUT = "no_checkout"
OTHER_ORDER = "other_order"
CURRENCY_MISMATCH = "currency_mismatch"
TOTAL_CHANGED = "total_changed"
NOT_CONFIRMED = "not_confirmed"
SUSPENDED = "suspended"
CANCELED = "canceled"
CLOSED = "closed"
PENDING = "pending"
NOT_COVERED = "not_covered"

#: the order reference can no longer pay this order at this total, whatever happens next
_FINAL_REASONS = frozenset({OTHER_ORDER, CURRENCY_MISMATCH, TOTAL_CHANGED, CANCELED})

#: money taken: a capture only reaches Closed after it Completed (Amazon closes a capture
#: once it can no longer be refunded)
_TAKEN = (CaptureState.COMPLETED, CaptureState.CLOSED)
#: a capture that exists at Amazon or may still come to exist: it uses up its authorization
_NOT_DECLINED = (CaptureState.PENDING, CaptureState.COMPLETED, CaptureState.CLOSED, "")
_IN_FLIGHT = (AttemptState.REQUESTING, AttemptState.IN_DOUBT)


@dataclass(frozen=True)
class PaymentStatus:
    """What the mirrored Amazon objects say about paying `amount` for one shop order.

    covered   Amazon holds (Open authorization) or took (Completed capture) at least the
              order's total, on an order reference in a good state for this very order.
    reason    one of the module's reason constants; "covered" when covered.
    final     not covered, and this order reference can no longer cover the order: it was
              canceled, it carries another order or total, or it closed with nothing left
              that could still be captured. A shop cancels a new order on a final status.
    amount    the order's total the check was asked about.
    reserved  held by Open authorizations and not captured.
    captured  taken by Completed captures (refunds are not subtracted).
    """

    covered: bool
    reason: str
    final: bool
    amount: Decimal
    currency: str
    reserved: Decimal = Decimal("0")
    captured: Decimal = Decimal("0")

    def __bool__(self) -> bool:
        return self.covered


def _parse(amount: Decimal | str | int, currency: str) -> Decimal:
    try:
        value = Amount.parse(amount, currency).value
    except AmountError as err:
        raise InvalidAmountError(f"the order total: {err}") from None
    if value <= 0:
        raise InvalidAmountError(f"the order total must be more than 0, not {value}")
    return value


def payment_status(
    order_reference: OrderReference | None,
    amount: Decimal | str | int,
    *,
    currency: str | None = None,
    seller_order_id: str | None = None,
) -> PaymentStatus:
    """Whether `order_reference` pays `amount` (the shop order's total as it is NOW).

    `seller_order_id`: the shop's order number; an order reference set with another order's
    number pays that order, not this one. `currency` defaults to the configured one.
    Amounts are compared as Decimals, never rounded. Raises InvalidAmountError for an
    amount that is not a positive plain decimal in the currency.
    """
    currency = (currency or get_settings().currency).upper()
    value = _parse(amount, currency)

    def status(reason: str, **money: Decimal) -> PaymentStatus:
        return PaymentStatus(
            covered=reason == COVERED,
            reason=reason,
            final=reason in _FINAL_REASONS,
            amount=value,
            currency=currency,
            **money,
        )

    # as stored now, not as passed (the caller's instance may be older than the last answer)
    oro = None
    if order_reference is not None and order_reference.pk is not None:
        oro = OrderReference.objects.filter(pk=order_reference.pk).first()
    if oro is None:
        return status(NO_CHECKOUT)
    if seller_order_id is not None and oro.seller_order_id != seller_order_id:
        return status(OTHER_ORDER)
    if oro.state in ("", OrderReferenceState.DRAFT):
        return status(NOT_CONFIRMED)  # the total may still be set again: nothing is final
    if oro.state == OrderReferenceState.CANCELED:
        return status(CANCELED)
    if oro.currency != currency:
        return status(CURRENCY_MISMATCH)
    if oro.amount != value:
        # Amazon's OrderTotal is what the buyer agreed to pay; confirmed, it cannot change
        return status(TOTAL_CHANGED)
    if oro.state == OrderReferenceState.SUSPENDED:
        return status(SUSPENDED)

    # money in another currency pays nothing of this order
    auths = list(Authorization.objects.filter(order_reference=oro, currency=currency))
    captures = list(Capture.objects.filter(order_reference=oro, currency=currency))
    used = {c.authorization_id for c in captures if c.state in _NOT_DECLINED}
    captured = sum((c.amount for c in captures if c.state in _TAKEN), Decimal("0"))
    # an authorization still shown Open after its capture was recorded is not counted twice
    reserved = sum(
        (
            a.amount - a.captured_amount
            for a in auths
            if a.state == AuthorizationState.OPEN and a.pk not in used
        ),
        Decimal("0"),
    )
    money = {"reserved": reserved, "captured": captured}
    if captured >= value:
        return status(COVERED, **money)
    if oro.state == OrderReferenceState.OPEN and reserved + captured >= value:
        return status(COVERED, **money)
    in_progress = any(
        a.state == AuthorizationState.PENDING or a.attempt_state in _IN_FLIGHT for a in auths
    ) or any(c.state == CaptureState.PENDING or c.attempt_state in _IN_FLIGHT for c in captures)
    if oro.state == OrderReferenceState.CLOSED:
        # closed before being paid in full: only money already on its way can still come
        closed = status(CLOSED, **money)
        return closed if in_progress or reserved > 0 else replace(closed, final=True)
    return status(PENDING if in_progress else NOT_COVERED, **money)


def payment_covers(
    order_reference: OrderReference | None,
    amount: Decimal | str | int,
    *,
    currency: str | None = None,
    seller_order_id: str | None = None,
) -> bool:
    """payment_status(...).covered: True when the shop may treat the order as paid."""
    return payment_status(
        order_reference, amount, currency=currency, seller_order_id=seller_order_id
    ).covered
