"""The one way remote details reach the models: `apply_details` (STYLE 6, issue 4 item 2).

It decides alone what an observation changes: fields, a StateTransition when the state or
reason changed, staleness by Amazon's LastUpdateTimestamp, anomalies (logged on
`django_amazonpay.states`, applied anyway: Amazon is the truth), and the signals, which are
scheduled with transaction.on_commit. Callers hold the order reference's row lock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from .. import signals
from ..amounts import Amount
from ..logs import get_logger
from ..models import Authorization, Capture, OrderReference, Refund, StateTransition
from ..mws.types import (
    Address,
    AuthorizationDetails,
    CaptureDetails,
    OrderReferenceDetails,
    RefundDetails,
    Status,
)
from ..states import AuthorizationState, ObjectKind, ReasonCode, is_allowed

logger = get_logger("django_amazonpay.states")

Details = OrderReferenceDetails | AuthorizationDetails | CaptureDetails | RefundDetails
Mirrored = OrderReference | Authorization | Capture | Refund

KIND_OF: dict[type, str] = {
    OrderReference: ObjectKind.ORDER_REFERENCE,
    Authorization: ObjectKind.AUTHORIZATION,
    Capture: ObjectKind.CAPTURE,
    Refund: ObjectKind.REFUND,
}


def address_to_dict(address: Address | None) -> dict[str, str]:
    """Amazon's Address as stored: every field Amazon sent, snake_case, None dropped.

    Japanese addresses keep the prefecture in `state_or_region`, no `city`, and the street in
    `address_line1`-`3` (spec 2.3, seed 000); nothing is reshuffled between fields.
    """
    if address is None:
        return {}
    return {k: v for k, v in dataclasses.asdict(address).items() if v not in (None, "")}


def _fuller_address(stored: dict[str, str], observed: Address) -> dict[str, str]:
    """The address to keep after observing `observed`.

    Without the buyer's access token Amazon discloses only coarse fields of a Draft order's
    destination (spec 2.3; seed 000): the same address seen through a narrower window must
    not erase what a token-bearing read already told us. A different address replaces it.
    """
    new = address_to_dict(observed)
    if stored and new.items() <= stored.items():
        return stored
    return new


def _money(amount: Amount | None) -> Any:
    return None if amount is None else amount.value


def _update_order_reference(obj: OrderReference, d: OrderReferenceDetails) -> None:
    obj.amazon_order_reference_id = d.amazon_order_reference_id
    if d.order_total is not None:
        obj.amount, obj.currency = d.order_total.value, d.order_total.currency
    attrs = d.seller_order_attributes
    if attrs.seller_order_id:
        obj.seller_order_id = attrs.seller_order_id
    if attrs.store_name:
        obj.store_name = attrs.store_name
    if obj.personal_data_purged_at is None:
        if d.buyer is not None:
            obj.buyer_name = d.buyer.name or obj.buyer_name
            obj.buyer_email = d.buyer.email or obj.buyer_email
        if d.destination is not None:
            obj.destination = _fuller_address(obj.destination or {}, d.destination)
        if d.billing_address is not None:
            obj.billing_address = _fuller_address(obj.billing_address or {}, d.billing_address)
    obj.release_environment = d.release_environment or obj.release_environment
    obj.expiration = d.expiration_timestamp or obj.expiration
    obj.amazon_created_at = d.creation_timestamp or obj.amazon_created_at


def _update_authorization(obj: Authorization, d: AuthorizationDetails) -> None:
    obj.amazon_authorization_id = d.amazon_authorization_id
    obj.authorization_reference_id = d.authorization_reference_id
    obj.amount, obj.currency = d.authorization_amount.value, d.authorization_amount.currency
    # spec 2.4 Authorize: a CaptureNow response shows CapturedAmount 0, later Gets the amount
    obj.captured_amount = max(obj.captured_amount or 0, d.captured_amount.value)
    obj.fee = _money(d.authorization_fee) if d.authorization_fee else obj.fee
    obj.soft_decline = d.soft_decline if d.soft_decline is not None else obj.soft_decline
    obj.capture_now = d.capture_now
    obj.expiration = d.expiration_timestamp or obj.expiration
    obj.amazon_created_at = d.creation_timestamp or obj.amazon_created_at


def _update_capture(obj: Capture, d: CaptureDetails) -> None:
    obj.amazon_capture_id = d.amazon_capture_id
    obj.capture_reference_id = d.capture_reference_id
    obj.amount, obj.currency = d.capture_amount.value, d.capture_amount.currency
    obj.refunded_amount = d.refunded_amount.value
    obj.fee = _money(d.capture_fee) if d.capture_fee else obj.fee
    obj.soft_descriptor = d.soft_descriptor or obj.soft_descriptor
    obj.amazon_created_at = d.creation_timestamp or obj.amazon_created_at


def _update_refund(obj: Refund, d: RefundDetails) -> None:
    obj.amazon_refund_id = d.amazon_refund_id
    obj.refund_reference_id = d.refund_reference_id
    obj.amount, obj.currency = d.refund_amount.value, d.refund_amount.currency
    obj.fee = _money(d.fee_refunded) if d.fee_refunded else obj.fee
    obj.refund_type = d.refund_type or obj.refund_type
    obj.soft_descriptor = d.soft_descriptor or obj.soft_descriptor
    obj.amazon_created_at = d.creation_timestamp or obj.amazon_created_at


UPDATERS: dict[type, Any] = {
    OrderReference: _update_order_reference,
    Authorization: _update_authorization,
    Capture: _update_capture,
    Refund: _update_refund,
}
DETAIL_TYPES: dict[type, type] = {
    OrderReference: OrderReferenceDetails,
    Authorization: AuthorizationDetails,
    Capture: CaptureDetails,
    Refund: RefundDetails,
}


def amazon_id(obj: Mirrored) -> str | None:
    if isinstance(obj, OrderReference):
        return obj.amazon_order_reference_id
    if isinstance(obj, Authorization):
        return obj.amazon_authorization_id
    if isinstance(obj, Capture):
        return obj.amazon_capture_id
    return obj.amazon_refund_id


#: the changes list of the innermost recording_changes() block of this thread, if any
_changes: ContextVar[list[str] | None] = ContextVar("django_amazonpay_changes", default=None)


@contextmanager
def recording_changes() -> Iterator[list[str]]:
    """Collect what this thread itself changes inside the block (one entry per change).

    A report that compares a row read before the work with the row after it counts a change
    made meanwhile by another worker as its own; this counts only what was written here.
    """
    recorded: list[str] = []
    token = _changes.set(recorded)
    try:
        yield recorded
    finally:
        _changes.reset(token)


def note_change(description: str) -> None:
    recorded = _changes.get()
    if recorded is not None:
        recorded.append(description)


#: how far ahead of our clock a LastUpdateTimestamp may be and still order answers; the
#: tolerance MWS gives request timestamps (docs/ipn.md, Hints)
CLOCK_SKEW = timedelta(minutes=15)


def _ordering_fact(moment: datetime | None) -> datetime | None:
    """A timestamp that may order answers: none from the future. Such a value (a forged 2099
    stored by an older version from an IPN's payload) must not make Amazon's answers stale."""
    if moment is None or moment > timezone.now() + CLOCK_SKEW:
        return None
    return moment


def is_stale(obj: Mirrored, status: Status) -> bool:
    """Older than what is stored, by Amazon's LastUpdateTimestamp (answers arrive out of order).

    A Draft order reference carries no LastUpdateTimestamp, but Draft is only ever the first
    state (spec 3.1): a Draft seen after any other state is an answer overtaken by a later one.
    A stored timestamp from the future orders nothing (see docs/ipn.md, Hints).
    """
    if status.state == "Draft" and isinstance(obj, OrderReference):
        return obj.state not in ("", "Draft")
    stored = _ordering_fact(obj.amazon_updated_at)
    return bool(status.last_update and stored and status.last_update < stored)


def apply_details(
    obj: Mirrored,
    details: Details,
    *,
    source: str,
    request_id: str | None = None,
) -> StateTransition | None:
    """Mirror `details` onto `obj` (saved) and return the new StateTransition, if any.

    Details older than the stored LastUpdateTimestamp change nothing. The same observation
    twice records one transition. The caller holds the order reference's row lock.
    """
    model = type(obj)
    if not isinstance(details, DETAIL_TYPES[model]):
        raise TypeError(f"{type(details).__name__} cannot be applied to {model.__name__}")
    status = details.status
    if obj.pk is not None and is_stale(obj, status):
        logger.info("ignored stale details of %s (%s)", amazon_id(obj), status.last_update)
        return None
    kind = KIND_OF[model]
    old_state, old_reason = obj.state or "", obj.reason_code or ""
    old_attempt = getattr(obj, "attempt_state", "done")
    new_reason = status.reason_code or ""
    UPDATERS[model](obj, details)
    obj.state = status.state
    obj.reason_code = new_reason
    obj.reason_description = status.reason_description or ""
    obj.amazon_updated_at = _ordering_fact(status.last_update) or obj.amazon_updated_at
    if not isinstance(obj, OrderReference):
        obj.attempt_state = "done"
        obj.error_code = ""
    obj.save()
    if old_state == status.state and old_reason == new_reason:
        if old_attempt != getattr(obj, "attempt_state", "done"):
            note_change(f"{amazon_id(obj)} attempt {old_attempt} -> done")
        return None
    allowed = is_allowed(kind, old_state, status.state)
    if not allowed:
        # Amazon is the truth (STYLE 6): record and warn, never refuse
        logger.warning(
            "unexpected %s transition of %s: %s -> %s (%s)",
            kind,
            amazon_id(obj),
            old_state,
            status.state,
            new_reason or "no reason",
        )
    # a child's parent by id: the caller's locked row is not this instance's cached one, and
    # fetching it only to name it would cost a query
    parent = (
        {"order_reference": obj}
        if isinstance(obj, OrderReference)
        else {"order_reference_id": obj.order_reference_id}
    )
    transition = StateTransition.objects.create(
        object_kind=kind,
        object_id=amazon_id(obj) or "",
        **parent,
        authorization=obj if isinstance(obj, Authorization) else None,
        capture=obj if isinstance(obj, Capture) else None,
        refund=obj if isinstance(obj, Refund) else None,
        from_state=old_state,
        to_state=status.state,
        reason_code=new_reason,
        reason_description=obj.reason_description,
        source=source,
        allowed=allowed,
        observed_at=timezone.now(),
        amazon_timestamp=status.last_update,
        request_id=request_id or getattr(details, "request_id", None) or "",
    )
    note_change(f"{amazon_id(obj)} {old_state or '-'} -> {status.state}")
    if old_state != status.state:
        signal = signals.STATE_SIGNALS.get((kind, status.state))
        if signal is not None:
            signals.send_after_commit(signal, model, instance=obj, transition=transition)
        if isinstance(obj, Authorization):
            _after_authorization_change(obj, transition)
    return transition


def _after_authorization_change(auth: Authorization, transition: StateTransition) -> None:
    """An asynchronous soft decline: the buyer has left, the shop must ask them (spec 3.10)."""
    if (
        auth.state == AuthorizationState.DECLINED
        and auth.reason_code == ReasonCode.INVALID_PAYMENT_METHOD
        and auth.transaction_timeout > 0
    ):
        OrderReference.objects.filter(pk=auth.order_reference_id).update(
            payment_method_update_required=True
        )
        order_reference = OrderReference.objects.get(pk=auth.order_reference_id)
        signals.send_after_commit(
            signals.payment_method_update_required,
            OrderReference,
            instance=order_reference,
            authorization=auth,
            transition=transition,
        )


def in_transaction() -> bool:
    return transaction.get_connection().in_atomic_block
