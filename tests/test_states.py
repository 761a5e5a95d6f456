"""The state machines as data (spec 3.1, 3.3-3.5)."""

from __future__ import annotations

import pytest

from django_amazonpay.states import (
    REASON_CODES,
    TRANSITIONS,
    AuthorizationState,
    CaptureState,
    ObjectKind,
    OrderReferenceState,
    ReasonCode,
    RefundState,
    is_allowed,
    is_terminal,
)

STATES = {
    ObjectKind.ORDER_REFERENCE: OrderReferenceState,
    ObjectKind.AUTHORIZATION: AuthorizationState,
    ObjectKind.CAPTURE: CaptureState,
    ObjectKind.REFUND: RefundState,
}


@pytest.mark.parametrize("kind", list(TRANSITIONS))
def test_every_state_has_a_row_and_targets_are_states(kind: str) -> None:
    states = set(STATES[kind].values)
    assert set(TRANSITIONS[kind]) == states
    for targets in TRANSITIONS[kind].values():
        assert targets <= states


@pytest.mark.parametrize(
    ("kind", "old", "new", "allowed"),
    [
        ("order_reference", "Draft", "Open", True),
        ("order_reference", "Open", "Suspended", True),
        ("order_reference", "Suspended", "Open", True),
        ("order_reference", "Closed", "Open", False),
        ("order_reference", "Canceled", "Closed", False),
        ("order_reference", "Draft", "Suspended", False),
        ("authorization", "Pending", "Closed", True),  # CaptureNow
        ("authorization", "Declined", "Open", False),
        ("capture", "Completed", "Closed", True),
        ("capture", "Closed", "Completed", False),
        ("refund", "Pending", "Completed", True),
        ("refund", "Completed", "Pending", False),
        ("refund", "", "Completed", True),  # first observation
        ("capture", "Completed", "Completed", True),  # unchanged
    ],
)
def test_is_allowed(kind: str, old: str, new: str, allowed: bool) -> None:
    assert is_allowed(kind, old, new) is allowed


def test_terminal_states() -> None:
    assert is_terminal("order_reference", "Closed")
    assert is_terminal("authorization", "Declined")
    assert not is_terminal("capture", "Completed")
    assert is_terminal("refund", "Completed")


def test_reason_codes_of_the_spec() -> None:
    oro = REASON_CODES["order_reference"]
    assert {"MaxAuthorizationsProcessed", "Stale", "MaxAmountCharged"} <= oro
    auth = REASON_CODES["authorization"]
    assert {"StopShipmentAtypicalAuth", "ExpiredUnused", "OrderReferenceCanceled"} <= auth
    assert {"MaxAmountRefunded", "MaxRefundsProcessed"} <= REASON_CODES["capture"]
    assert REASON_CODES["refund"] == {"AmazonRejected", "ProcessingFailure"}
    assert all(code in ReasonCode.values for codes in REASON_CODES.values() for code in codes)
