"""Exactly-once machinery shared by authorize, capture and refund (spec 3.9, STYLE 6).

Reference ids are deterministic per attempt and derived from Amazon's own order reference id,
which is unique per seller, so they never collide across shops' databases or order numbers:
`<ORO>-A<n>`, `<ORO>-A<n>-C<m>`, `<ORO>-A<n>-C<m>-R<k>` (at most 32 characters of
a-zA-Z0-9-, spec 2.4). The row is committed with attempt state "requesting" before the call;
a call without an answer leaves it "in doubt"; an in-flight attempt is reconciled (looked up
by reference id, else re-sent with the same id and parameters, which Amazon answers with the
first result) before any new attempt is made.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from ..amounts import Amount, AmountError
from ..conf import get_settings
from ..logs import get_logger
from ..models import Authorization, Capture, Refund
from ..mws.errors import (
    DuplicateReference,
    MwsError,
    RequestValidationError,
    Throttled,
    TransportError,
)
from ..states import AttemptState
from .errors import (
    NO_ANSWER,
    AmazonRequestError,
    AmountExceededError,
    InvalidAmountError,
    check_length,
)
from .locking import locked_order_reference
from .sync import Details, apply_details, note_change

logger = get_logger(__name__)

T = TypeVar("T")
Row = Authorization | Capture | Refund
IN_FLIGHT = (AttemptState.REQUESTING, AttemptState.IN_DOUBT)

_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_-]")


def reference_id(parent: str, letter: str, n: int) -> str:
    """`<parent>-<letter><n>`, sanitized to Amazon's alphabet and 32 characters."""
    suffix = f"-{letter}{n}"
    return _NOT_ALLOWED.sub("-", parent)[: 32 - len(suffix)] + suffix


def parse_amount(value: Any, currency: str, *, what: str = "amount") -> Decimal:
    """A positive amount in `currency`'s precision, within the region's single maximum."""
    try:
        amount = Amount.parse(value, currency)
    except AmountError as err:
        raise InvalidAmountError(f"{what}: {err}") from None
    if amount.value <= 0:
        raise InvalidAmountError(f"{what} must be more than 0, not {amount}")
    maximum = get_settings().region.max_transaction_amount
    if amount.value > maximum:
        raise AmountExceededError(
            f"{what} {amount} is above Amazon's maximum of {maximum} per transaction (spec 3.7)"
        )
    return amount.value


def check_notes(seller_note: str | None, soft_descriptor: str | None) -> None:
    """Notes and soft descriptor within Amazon's limits (spec 2.4), before the row exists."""
    from ..mws.validation import SOFT_DESCRIPTOR_MAX, TRANSACTION_NOTE_MAX

    check_length(seller_note, "the seller note", TRANSACTION_NOTE_MAX)
    check_length(soft_descriptor, "the soft descriptor", SOFT_DESCRIPTOR_MAX)


def _mark(row: Row, state: str, error_code: str = "") -> None:
    """Set the attempt state unless a concurrent caller already settled the row."""
    with locked_order_reference(row.order_reference_id):
        updated = (
            type(row)
            .objects.filter(pk=row.pk, attempt_state__in=IN_FLIGHT)
            .exclude(attempt_state=state)
            .update(attempt_state=state, error_code=error_code[:64])
        )
    if updated:
        note_change(f"{row} attempt -> {state}")
    row.refresh_from_db()


def call_and_apply(
    row: Row,
    send: Callable[[], Details],
    find: Callable[[], Details | None] | None,
    *,
    reconcile: bool,
    source: str = "response",
) -> Details | None:
    """Send (or reconcile) the attempt `row`, apply the answer; None when in doubt.

    Holds no lock while Amazon works. An error answer marks the row failed and raises
    AmazonRequestError; no answer (transport, 5xx after the client's retries, malformed
    body) marks it in doubt.
    """
    details: Details | None = None
    try:
        if reconcile and find is not None:
            details = find()
            source = "reconcile" if details is not None else source
        if details is None:
            details = send()
    except DuplicateReference:
        # spec 3.9: the reference id is known: the object exists, look it up
        details = find() if find is not None else None
    except (*NO_ANSWER, Throttled) as err:
        logger.warning("no answer for %s: %s (attempt left in doubt)", row, err)
        details = None
        if isinstance(err, TransportError) and not err.sent and not reconcile:
            _mark(row, AttemptState.FAILED, "NotSent")
            raise AmazonRequestError(
                MwsError(str(err), code="NotSent", operation=err.operation)
            ) from err
    except MwsError as err:
        _mark(row, AttemptState.FAILED, err.code or "")
        raise AmazonRequestError(err) from err
    except RequestValidationError as err:
        # refused before sending: nothing happened at Amazon
        _mark(row, AttemptState.FAILED, "RequestValidation")
        raise InvalidAmountError(str(err)) from err
    if details is None:
        _mark(row, AttemptState.IN_DOUBT)
        return None
    with locked_order_reference(row.order_reference_id):
        row.refresh_from_db()
        apply_details(row, details, source=source, request_id=details.request_id)
    return details
