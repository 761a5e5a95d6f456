"""The Amazon Pay MWS wire: signed requests, typed results, classified errors.

No Django models, no settings: everything comes in through `ClientConfig`.
"""

from __future__ import annotations

from .config import ClientConfig, RetryPolicy
from .errors import (
    AmazonPayError,
    AmountExceeded,
    AuthenticationError,
    DuplicateReference,
    InvalidParameter,
    InvalidState,
    MalformedResponse,
    MwsError,
    NotFound,
    RequestValidationError,
    ServerError,
    Throttled,
    TransportError,
    error_class_for,
)
from .orders import OrdersClient
from .payments import PaymentsClient
from .retry import NO_WAIT, CallOptions
from .types import (
    Acknowledgement,
    Address,
    AuthorizationDetails,
    Buyer,
    CallRecord,
    CaptureDetails,
    Constraint,
    OrderItem,
    OrderReferenceDetails,
    RefundDetails,
    SellerOrderAttributes,
    ServiceStatus,
    Status,
)

__all__ = [
    "NO_WAIT",
    "Acknowledgement",
    "Address",
    "AmazonPayError",
    "AmountExceeded",
    "AuthenticationError",
    "AuthorizationDetails",
    "Buyer",
    "CallOptions",
    "CallRecord",
    "CaptureDetails",
    "ClientConfig",
    "Constraint",
    "DuplicateReference",
    "InvalidParameter",
    "InvalidState",
    "MalformedResponse",
    "MwsError",
    "NotFound",
    "OrderItem",
    "OrderReferenceDetails",
    "OrdersClient",
    "PaymentsClient",
    "RefundDetails",
    "RequestValidationError",
    "RetryPolicy",
    "SellerOrderAttributes",
    "ServerError",
    "ServiceStatus",
    "Status",
    "Throttled",
    "TransportError",
    "error_class_for",
]
