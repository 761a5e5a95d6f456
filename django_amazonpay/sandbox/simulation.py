"""Sandbox simulation strings (spec 5): which JSON in which note field forces which outcome.

Only the sandbox path reads them; the engine decides that. Anything that looks like a
simulation but is not one of the documented combinations is InvalidSandboxSimulationSpecified
(400, [spec: unconfirmed] status for MWS, spec 4).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .errors import SimulatorError

#: per note field: (State, ReasonCode) -> optional extra keys allowed with it (spec 5 table)
_ALLOWED: dict[str, dict[tuple[str | None, str | None], frozenset[str]]] = {
    "close_order": {("Closed", "AmazonClosed"): frozenset()},
    "authorize": {
        ("Declined", "InvalidPaymentMethod"): frozenset(
            {"PaymentMethodUpdateTimeInMins", "SoftDecline"}
        ),
        ("Declined", "AmazonRejected"): frozenset(),
        ("Declined", "TransactionTimedOut"): frozenset(),
        ("Closed", "ExpiredUnused"): frozenset({"ExpirationTimeInMins"}),
        ("Closed", "AmazonClosed"): frozenset(),
    },
    "capture": {
        ("Pending", None): frozenset(),
        ("Declined", "AmazonRejected"): frozenset(),
        ("Closed", "AmazonClosed"): frozenset(),
    },
    "refund": {("Declined", "AmazonRejected"): frozenset()},
}


@dataclass(frozen=True)
class Simulation:
    state: str | None = None
    reason_code: str | None = None
    constraint: str | None = None
    soft_decline: bool | None = None
    payment_method_update_minutes: float | None = None
    expiration_minutes: float | None = None


def _bad(detail: str) -> SimulatorError:
    return SimulatorError(
        "InvalidSandboxSimulationSpecified",
        f"The sandbox simulation specified is invalid: {detail}",
    )


def _minutes(value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _bad(f"{key} must be a number of minutes")
    try:
        minutes = float(value)
    except ValueError:
        raise _bad(f"{key} must be a number of minutes") from None
    if not minutes > 0:
        raise _bad(f"{key} must be positive")
    return minutes


def parse(note: str | None, field: str) -> Simulation | None:
    """The simulation requested in a note, None for an ordinary note.

    `field` is one of "order" (SellerNote), "close_order" (ClosureReason), "authorize",
    "capture", "refund" (the Seller...Note of that operation).
    """
    if not note or "SandboxSimulation" not in note:
        return None
    try:
        document = json.loads(note)
    except ValueError:
        raise _bad("not a JSON document") from None
    if not isinstance(document, dict) or not isinstance(document.get("SandboxSimulation"), dict):
        raise _bad('expected {"SandboxSimulation": {...}}')
    spec = document["SandboxSimulation"]
    if field == "order":
        # spec 5: the SellerNote only knows the PaymentMethodNotAllowed constraint
        if spec != {"Constraint": "PaymentMethodNotAllowed"}:
            raise _bad("SellerNote supports only the PaymentMethodNotAllowed constraint")
        return Simulation(constraint="PaymentMethodNotAllowed")
    if field not in _ALLOWED:
        raise _bad(f"no simulation for {field}")
    state, reason = spec.get("State"), spec.get("ReasonCode")
    extras_allowed = _ALLOWED[field].get((state, reason))
    if extras_allowed is None:
        raise _bad(f"State {state!r} with ReasonCode {reason!r}")
    extras = set(spec) - {"State", "ReasonCode"}
    if not extras <= extras_allowed:
        raise _bad(f"unexpected keys {sorted(extras - extras_allowed)}")
    soft_decline = None
    if "SoftDecline" in spec:
        value = spec["SoftDecline"]
        # spec 5: passed as the strings "true"/"false"; a JSON boolean is accepted too
        if isinstance(value, bool):
            soft_decline = value
        elif isinstance(value, str) and value.lower() in ("true", "false"):
            soft_decline = value.lower() == "true"
        else:
            raise _bad('SoftDecline must be "true" or "false"')
    update = spec.get("PaymentMethodUpdateTimeInMins")
    expiration = spec.get("ExpirationTimeInMins")
    return Simulation(
        state=state,
        reason_code=reason,
        soft_decline=soft_decline,
        payment_method_update_minutes=(
            _minutes(update, "PaymentMethodUpdateTimeInMins") if update is not None else None
        ),
        expiration_minutes=(
            _minutes(expiration, "ExpirationTimeInMins") if expiration is not None else None
        ),
    )
