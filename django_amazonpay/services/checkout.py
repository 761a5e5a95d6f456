"""Checkout steps before money moves: start, set the order details, confirm (spec 2.4)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from ..amounts import Amount, AmountError
from ..client import get_client
from ..conf import get_settings
from ..models import OrderItem, OrderReference
from ..mws.errors import (
    InvalidState,
    MalformedResponse,
    MwsError,
    Throttled,
    TransportError,
)
from ..mws.types import Constraint, OrderReferenceDetails
from ..states import OrderReferenceState
from .errors import (
    NO_ANSWER,
    AmazonRequestError,
    AmountExceededError,
    InvalidAmountError,
    InvalidInputError,
    InvalidStateError,
    TotalMismatchError,
    check_length,
    no_answer,
)
from .locking import locked_order_reference
from .sync import apply_details, is_stale


@dataclass(frozen=True)
class ItemSnapshot:
    """One line of the shop's order (seed 003 order_items: title, variation, price, amount)."""

    title: str
    unit_price: Decimal | str | int
    quantity: int = 1
    sku: str = ""
    variation: str = ""


def _non_negative(value: Any, currency: str, what: str) -> Decimal:
    try:
        amount = Amount.parse(value, currency)
    except AmountError as err:
        raise InvalidAmountError(f"{what}: {err}") from None
    if amount.value < 0:
        raise InvalidAmountError(f"{what} must not be negative, not {amount}")
    return amount.value


def _check_lengths(
    items: list[ItemSnapshot],
    seller_order_id: str,
    store_name: str | None,
    discount_note: str,
    seller_note: str | None,
) -> None:
    from ..mws.validation import NOTE_MAX

    def limit(model: Any, field: str) -> int | None:
        return model._meta.get_field(field).max_length

    for position, item in enumerate(items, start=1):
        for field in ("title", "sku", "variation"):
            value = getattr(item, field)
            if not isinstance(value, str):
                raise InvalidInputError(f"item {position}: {field} must be text")
            check_length(value, f"item {position} {field}", limit(OrderItem, field))
    check_length(seller_order_id, "the seller order id", limit(OrderReference, "seller_order_id"))
    check_length(store_name, "the store name", limit(OrderReference, "store_name"))
    check_length(discount_note, "the discount note", limit(OrderReference, "discount_note"))
    check_length(seller_note, "the seller note", NOTE_MAX)


def start_checkout(
    amazon_order_reference_id: str, *, access_token: str | None = None, user: Any = None
) -> OrderReference:
    """Mirror the buyer's (Draft) order reference; repeat calls return the same row."""
    try:
        details = get_client().get_order_reference_details(
            amazon_order_reference_id, access_token=access_token
        )
    except MwsError as err:
        raise AmazonRequestError(err) from err
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    rows = OrderReference.objects.select_for_update()
    with transaction.atomic():
        oro = rows.filter(amazon_order_reference_id=amazon_order_reference_id).first()
        if oro is None:
            created = _insert(amazon_order_reference_id, details, user if signed_in else None)
            if created is not None:
                return created
            oro = rows.get(amazon_order_reference_id=amazon_order_reference_id)
        if signed_in:
            oro.user = user
        apply_details(oro, details, source="response", request_id=details.request_id)
    return oro


def _insert(
    amazon_order_reference_id: str, details: OrderReferenceDetails, user: Any
) -> OrderReference | None:
    """A new row with `details` applied, or None when a concurrent start inserted it first."""
    oro = OrderReference(
        amazon_order_reference_id=amazon_order_reference_id,
        state="",
        currency=get_settings().currency,
        user=user,
    )
    try:
        # apply_details' save is the INSERT: until commit the row is ours alone, as if locked
        # (a concurrent start waits on the unique index, then reads and locks the row)
        with transaction.atomic():
            apply_details(oro, details, source="response", request_id=details.request_id)
    except IntegrityError:
        return None
    return oro


def draft_constraints(
    order_reference: OrderReference, *, access_token: str | None = None
) -> list[Constraint]:
    """What still blocks confirming a Draft (spec 3.2), read live from Amazon.

    Not mirrored: constraints change as the buyer uses the widgets. Empty once confirmed.
    """
    if order_reference.state != OrderReferenceState.DRAFT:
        return []
    try:
        details = get_client().get_order_reference_details(
            order_reference.amazon_order_reference_id, access_token=access_token
        )
    except MwsError as err:
        raise AmazonRequestError(err) from err
    return list(details.constraints)


def set_order_details(
    order_reference: OrderReference,
    *,
    items: list[ItemSnapshot],
    shipping_fee: Decimal | str | int,
    discount: Decimal | str | int = 0,
    discount_note: str = "",
    seller_order_id: str,
    expected_total: Decimal | str | int | None = None,
    store_name: str | None = None,
    seller_note: str | None = None,
) -> OrderReference:
    """Store the order snapshot and send its total (items + shipping - discount) to Amazon.

    Draft only (spec 2.4: SetOrderReferenceDetails after confirmation is refused). Nothing is
    written unless Amazon accepted the total.
    """
    currency = get_settings().currency
    if not items:
        raise InvalidAmountError("an order needs at least one item")
    # lengths checked before Amazon is called: a DataError after it would leave Amazon with
    # the new total and us without it
    _check_lengths(items, seller_order_id, store_name, discount_note, seller_note)
    lines = []
    for position, item in enumerate(items, start=1):
        if isinstance(item.quantity, bool) or not isinstance(item.quantity, int):
            raise InvalidAmountError(f"item {position}: quantity must be a whole number")
        if item.quantity < 1:
            raise InvalidAmountError(f"item {position}: quantity must be at least 1")
        unit = _non_negative(item.unit_price, currency, f"item {position} unit price")
        lines.append((position, item, unit, unit * item.quantity))
    shipping = _non_negative(shipping_fee, currency, "shipping fee")
    off = _non_negative(discount, currency, "discount")
    total = sum((line[3] for line in lines), Decimal("0")) + shipping - off
    if total <= 0:
        raise InvalidAmountError(f"the order total must be more than 0, not {total}")
    maximum = get_settings().region.max_transaction_amount
    if total > maximum:
        # the checkout authorizes the whole total at once, and one authorization may not
        # exceed the region's maximum (spec 3.7): refused here, not by Amazon after a call
        raise AmountExceededError(
            f"the order total {total} {currency} is above Amazon's maximum of {maximum} "
            f"{currency} per transaction (spec 3.7)"
        )
    if expected_total is not None:
        expected = _non_negative(expected_total, currency, "expected total")
        if expected != total:
            raise TotalMismatchError(
                f"the order total is {total} {currency} (items + shipping - discount), "
                f"not the expected {expected} {currency}"
            )
    # a fresh read, no lock: one would end before the call (no lock is held while Amazon
    # works, STYLE 6) and write nothing, so it would protect nothing. Amazon refuses a total
    # once confirmed (spec 2.4); the write below takes the lock.
    oro = OrderReference.objects.get(pk=order_reference.pk)
    if oro.state != OrderReferenceState.DRAFT:
        raise InvalidStateError(
            f"order reference {oro} is {oro.state}: details can only be set while Draft"
        )
    settings = get_settings()
    try:
        details = get_client().set_order_reference_details(
            oro.amazon_order_reference_id,
            order_total=Amount(total, currency),
            seller_note=seller_note,
            seller_order_id=seller_order_id,
            store_name=store_name or settings.store_name,
        )
    except (TransportError, MalformedResponse) as err:
        # idempotent: the caller sends the same details again; nothing is written meanwhile
        raise no_answer(err) from err
    except MwsError as err:
        raise AmazonRequestError(err) from err
    with locked_order_reference(order_reference.pk) as oro:
        oro.items.all().delete()
        OrderItem.objects.bulk_create(
            OrderItem(
                order_reference=oro,
                position=position,
                title=item.title,
                sku=item.sku,
                variation=item.variation,
                unit_price=unit,
                quantity=item.quantity,
                line_total=line_total,
                currency=currency,
            )
            for position, item, unit, line_total in lines
        )
        oro.shipping_fee, oro.discount, oro.discount_note = shipping, off, discount_note
        oro.seller_order_id = seller_order_id
        if not is_stale(oro, details.status):
            apply_details(oro, details, source="response", request_id=details.request_id)
        else:
            # a concurrent confirm landed after Amazon took this total (Amazon refuses a total
            # once confirmed, spec 2.4): apply_details would ignore this Draft answer, snapshot
            # included; the confirm's read-back already holds the total, the snapshot is ours
            oro.save(
                update_fields=[
                    "shipping_fee", "discount", "discount_note", "seller_order_id", "updated_at"
                ]
            )  # fmt: skip
    return oro


def confirm(order_reference: OrderReference) -> OrderReference:
    """ConfirmOrderReference: Draft -> Open, or Suspended -> Open after the buyer chose another
    payment method (spec 3.10); then the order reference is read back from Amazon."""
    from .refreshing import refresh

    # a fresh read, no lock: as in set_order_details, a lock would end before the call and
    # write nothing; Amazon's answer is applied by refresh() under the lock
    oro = OrderReference.objects.get(pk=order_reference.pk)
    if oro.state == OrderReferenceState.OPEN:
        return oro  # already confirmed: a repeat is a no-op
    if oro.state not in (OrderReferenceState.DRAFT, OrderReferenceState.SUSPENDED):
        raise InvalidStateError(f"order reference {oro} is {oro.state}: cannot confirm")
    try:
        get_client().confirm_order_reference(oro.amazon_order_reference_id)
    except (*NO_ANSWER, Throttled, InvalidState) as err:
        # no answer, or a repeat after a lost answer (InvalidState): Amazon tells what happened
        oro = refresh(oro, source="response")
        if oro.state == OrderReferenceState.OPEN:
            return oro
        raise no_answer(err) from err
    except MwsError as err:
        raise AmazonRequestError(err) from err
    return refresh(oro, source="response")
