"""The use cases: the only code that calls Amazon (mws/) and writes the payment models.

Each mutating use case locks the order reference row, re-reads, decides and writes its intent,
commits, calls Amazon with no lock held, then locks again and applies the answer through
`sync.apply_details` (STYLE 6). See docs/services.md.
"""

from __future__ import annotations

from .authorizing import AuthorizationResult, authorize, handle_order_reference_reopened
from .capturing import CaptureResult, capture
from .checkout import (
    ItemSnapshot,
    confirm,
    draft_constraints,
    set_order_details,
    start_checkout,
)
from .closing import cancel_order, close_authorization, close_order
from .coverage import PaymentStatus, payment_covers, payment_status
from .errors import (
    AmazonRequestError,
    AmountExceededError,
    InvalidAmountError,
    InvalidInputError,
    InvalidStateError,
    LimitReachedError,
    ServiceError,
    TotalMismatchError,
)
from .refreshing import refresh
from .refunding import RefundResult, refund
from .sync import apply_details

__all__ = [
    "AmazonRequestError",
    "AmountExceededError",
    "AuthorizationResult",
    "CaptureResult",
    "InvalidAmountError",
    "InvalidInputError",
    "InvalidStateError",
    "ItemSnapshot",
    "LimitReachedError",
    "PaymentStatus",
    "RefundResult",
    "ServiceError",
    "TotalMismatchError",
    "apply_details",
    "authorize",
    "cancel_order",
    "capture",
    "close_authorization",
    "close_order",
    "confirm",
    "draft_constraints",
    "handle_order_reference_reopened",
    "payment_covers",
    "payment_status",
    "refresh",
    "refund",
    "set_order_details",
    "start_checkout",
]
