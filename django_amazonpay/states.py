"""The four state machines of Amazon Pay as data: states, reason codes, allowed transitions.

This module alone decides which observed transitions are "expected" (spec 3.1, 3.3-3.5).
An observed transition outside these tables is still applied (Amazon is the truth) but
logged as an anomaly by services.sync.apply_details. Local commands check the tables before
calling Amazon (services.*).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderReferenceState(models.TextChoices):
    DRAFT = "Draft", _("Draft")
    OPEN = "Open", _("Open")
    SUSPENDED = "Suspended", _("Suspended")
    CANCELED = "Canceled", _("Canceled")
    CLOSED = "Closed", _("Closed")


class AuthorizationState(models.TextChoices):
    PENDING = "Pending", _("Pending")
    OPEN = "Open", _("Open")
    DECLINED = "Declined", _("Declined")
    CLOSED = "Closed", _("Closed")


class CaptureState(models.TextChoices):
    PENDING = "Pending", _("Pending")
    DECLINED = "Declined", _("Declined")
    COMPLETED = "Completed", _("Completed")
    CLOSED = "Closed", _("Closed")


class RefundState(models.TextChoices):
    PENDING = "Pending", _("Pending")
    DECLINED = "Declined", _("Declined")
    COMPLETED = "Completed", _("Completed")


class ReasonCode(models.TextChoices):
    """Every reason code of spec 3.1 and 3.3-3.5 (one list: several are shared)."""

    # order reference (3.1)
    INVALID_PAYMENT_METHOD = "InvalidPaymentMethod", _("Invalid payment method")
    SELLER_CANCELED = "SellerCanceled", _("Canceled by the seller")
    STALE = "Stale", _("Not confirmed in time")
    AMAZON_CANCELED = "AmazonCanceled", _("Canceled by Amazon")
    EXPIRED = "Expired", _("Expired")
    MAX_AMOUNT_CHARGED = "MaxAmountCharged", _("Maximum amount charged")
    MAX_AUTHORIZATIONS_CAPTURED = "MaxAuthorizationsCaptured", _("Maximum authorizations captured")
    # observed once in a 2015 sandbox IPN, undocumented (spec 3.1)
    MAX_AUTHORIZATIONS_PROCESSED = "MaxAuthorizationsProcessed", _("Max. authorizations processed")
    AMAZON_CLOSED = "AmazonClosed", _("Closed by Amazon")
    SELLER_CLOSED = "SellerClosed", _("Closed by the seller")
    # authorization (3.3)
    STOP_SHIPMENT_ATYPICAL_AUTH = "StopShipmentAtypicalAuth", _("Atypical authorization")
    AMAZON_REJECTED = "AmazonRejected", _("Rejected by Amazon")
    PROCESSING_FAILURE = "ProcessingFailure", _("Processing failure")
    TRANSACTION_TIMED_OUT = "TransactionTimedOut", _("Transaction timed out")
    EXPIRED_UNUSED = "ExpiredUnused", _("Expired unused")
    MAX_CAPTURES_PROCESSED = "MaxCapturesProcessed", _("Captured")
    ORDER_REFERENCE_CANCELED = "OrderReferenceCanceled", _("Order reference canceled")
    # capture (3.4)
    MAX_AMOUNT_REFUNDED = "MaxAmountRefunded", _("Maximum amount refunded")
    MAX_REFUNDS_PROCESSED = "MaxRefundsProcessed", _("Maximum refunds processed")


class AttemptState(models.TextChoices):
    """Our side of a mutating call (STYLE 6 "write the intent before the call")."""

    REQUESTING = "requesting", _("Requesting")  # committed before the call
    IN_DOUBT = "in_doubt", _("In doubt")  # no answer: Amazon may or may not have it
    DONE = "done", _("Done")  # Amazon's object is known
    FAILED = "failed", _("Failed")  # Amazon answered with an error: nothing was created


class TransitionSource(models.TextChoices):
    RESPONSE = "response", _("Response to our call")
    POLL = "poll", _("Poll")
    IPN = "ipn", _("Instant Payment Notification")
    ADMIN = "admin", _("Admin")
    API = "api", _("API")
    RECONCILE = "reconcile", _("Reconciliation")


class ObjectKind(models.TextChoices):
    ORDER_REFERENCE = "order_reference", _("Order reference")
    AUTHORIZATION = "authorization", _("Authorization")
    CAPTURE = "capture", _("Capture")
    REFUND = "refund", _("Refund")


class ReleaseEnvironment(models.TextChoices):
    SANDBOX = "Sandbox", _("Sandbox")
    LIVE = "Live", _("Live")


_ORO = OrderReferenceState
_AUTH = AuthorizationState
_CAP = CaptureState
_REF = RefundState

#: state -> states it may move to (spec 3.1 transition table)
ORDER_REFERENCE_TRANSITIONS: dict[str, frozenset[str]] = {
    _ORO.DRAFT: frozenset({_ORO.OPEN, _ORO.CANCELED}),
    _ORO.OPEN: frozenset({_ORO.SUSPENDED, _ORO.CLOSED, _ORO.CANCELED}),
    _ORO.SUSPENDED: frozenset({_ORO.OPEN, _ORO.CLOSED, _ORO.CANCELED}),
    _ORO.CANCELED: frozenset(),
    _ORO.CLOSED: frozenset(),
}

#: spec 3.3; CaptureNow answers Closed straight from Pending/first sight
AUTHORIZATION_TRANSITIONS: dict[str, frozenset[str]] = {
    _AUTH.PENDING: frozenset({_AUTH.OPEN, _AUTH.DECLINED, _AUTH.CLOSED}),
    _AUTH.OPEN: frozenset({_AUTH.CLOSED}),
    _AUTH.DECLINED: frozenset(),
    _AUTH.CLOSED: frozenset(),
}

#: spec 3.4
CAPTURE_TRANSITIONS: dict[str, frozenset[str]] = {
    _CAP.PENDING: frozenset({_CAP.COMPLETED, _CAP.DECLINED, _CAP.CLOSED}),
    _CAP.COMPLETED: frozenset({_CAP.CLOSED}),
    _CAP.DECLINED: frozenset(),
    _CAP.CLOSED: frozenset(),
}

#: spec 3.5
REFUND_TRANSITIONS: dict[str, frozenset[str]] = {
    _REF.PENDING: frozenset({_REF.COMPLETED, _REF.DECLINED}),
    _REF.COMPLETED: frozenset(),
    _REF.DECLINED: frozenset(),
}

TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    ObjectKind.ORDER_REFERENCE: ORDER_REFERENCE_TRANSITIONS,
    ObjectKind.AUTHORIZATION: AUTHORIZATION_TRANSITIONS,
    ObjectKind.CAPTURE: CAPTURE_TRANSITIONS,
    ObjectKind.REFUND: REFUND_TRANSITIONS,
}

#: reason codes each machine may carry (spec 3.1, 3.3-3.5)
REASON_CODES: dict[str, frozenset[str]] = {
    ObjectKind.ORDER_REFERENCE: frozenset(
        {
            ReasonCode.INVALID_PAYMENT_METHOD,
            ReasonCode.SELLER_CANCELED,
            ReasonCode.STALE,
            ReasonCode.AMAZON_CANCELED,
            ReasonCode.EXPIRED,
            ReasonCode.MAX_AMOUNT_CHARGED,
            ReasonCode.MAX_AUTHORIZATIONS_CAPTURED,
            ReasonCode.MAX_AUTHORIZATIONS_PROCESSED,
            ReasonCode.AMAZON_CLOSED,
            ReasonCode.SELLER_CLOSED,
        }
    ),
    ObjectKind.AUTHORIZATION: frozenset(
        {
            ReasonCode.STOP_SHIPMENT_ATYPICAL_AUTH,
            ReasonCode.INVALID_PAYMENT_METHOD,
            ReasonCode.AMAZON_REJECTED,
            ReasonCode.PROCESSING_FAILURE,
            ReasonCode.TRANSACTION_TIMED_OUT,
            ReasonCode.EXPIRED_UNUSED,
            ReasonCode.MAX_CAPTURES_PROCESSED,
            ReasonCode.AMAZON_CLOSED,
            ReasonCode.ORDER_REFERENCE_CANCELED,
            ReasonCode.SELLER_CLOSED,
        }
    ),
    ObjectKind.CAPTURE: frozenset(
        {
            ReasonCode.STOP_SHIPMENT_ATYPICAL_AUTH,
            ReasonCode.AMAZON_REJECTED,
            ReasonCode.PROCESSING_FAILURE,
            ReasonCode.MAX_AMOUNT_REFUNDED,
            ReasonCode.MAX_REFUNDS_PROCESSED,
            ReasonCode.AMAZON_CLOSED,
        }
    ),
    ObjectKind.REFUND: frozenset({ReasonCode.AMAZON_REJECTED, ReasonCode.PROCESSING_FAILURE}),
}

#: states in which each machine never moves again
TERMINAL: dict[str, frozenset[str]] = {
    kind: frozenset(state for state, nxt in table.items() if not nxt)
    for kind, table in TRANSITIONS.items()
}


def is_allowed(kind: str, from_state: str, to_state: str) -> bool:
    """True when `from_state -> to_state` is in the machine's table.

    A first observation (`from_state` empty) and an unchanged state are always allowed.
    """
    if not from_state or from_state == to_state:
        return True
    return to_state in TRANSITIONS[kind].get(from_state, frozenset())


def is_terminal(kind: str, state: str) -> bool:
    return state in TERMINAL[kind]
