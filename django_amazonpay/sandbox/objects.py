"""The simulator's payment objects and their JSON form; no behaviour beyond (de)serialization.

One dataclass per Amazon object (spec 2.3). Amounts are Decimal, times aware UTC datetimes;
`encode`/`decode` turn them into plain JSON values for `PaymentsEngine.snapshot()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar


@dataclass
class Status:
    """OrderReferenceStatus / AuthorizationStatus / CaptureStatus / RefundStatus (spec 2.3)."""

    state: str
    last_update: datetime | None = None
    reason_code: str | None = None
    reason_description: str | None = None


@dataclass
class OrderReference:
    id: str
    environment: str
    created: datetime
    status: Status
    currency: str
    address: dict[str, str] | None = None
    buyer: dict[str, str] | None = None
    payment_method: str | None = None
    #: the buyer picked another method while Suspended (spec 3.10: lets Confirm reopen)
    payment_method_updated: bool = False
    order_total: Decimal | None = None
    seller_note: str | None = None
    platform_id: str | None = None
    seller_order_id: str | None = None
    store_name: str | None = None
    custom_information: str | None = None
    supplementary_data: str | None = None
    order_item_categories: list[str] = field(default_factory=list)
    request_payment_authorization: bool = False
    psp_id: str | None = None
    psp_order_id: str | None = None
    psp_updates_after_confirm: int = 0
    #: constraint forced by the SellerNote simulation string (spec 5)
    simulated_constraint: str | None = None
    authorization_ids: list[str] = field(default_factory=list)


@dataclass
class Authorization:
    id: str
    order_reference_id: str
    reference_id: str
    amount: Decimal
    currency: str
    created: datetime
    status: Status
    note: str | None = None
    capture_now: bool = False
    soft_descriptor: str | None = None
    soft_decline: bool = False
    transaction_timeout: int = 1440
    capture_ids: list[str] = field(default_factory=list)
    #: the outcome an asynchronous authorization settles to (spec 3.3)
    planned_state: str = "Open"
    planned_reason: str | None = None
    #: simulation extras (spec 5): ExpiredUnused after N minutes, Suspended revert after N minutes
    expire_minutes: float | None = None
    update_minutes: float | None = None


@dataclass
class Capture:
    id: str
    authorization_id: str
    order_reference_id: str
    reference_id: str
    amount: Decimal
    currency: str
    created: datetime
    status: Status
    note: str | None = None
    soft_descriptor: str | None = None
    refund_ids: list[str] = field(default_factory=list)
    planned_state: str = "Completed"
    planned_reason: str | None = None


@dataclass
class Refund:
    id: str
    capture_id: str
    order_reference_id: str
    reference_id: str
    amount: Decimal
    currency: str
    created: datetime
    status: Status
    note: str | None = None
    soft_descriptor: str | None = None
    planned_state: str = "Completed"
    planned_reason: str | None = None


PaymentObject = OrderReference | Authorization | Capture | Refund
T = TypeVar("T")


def encode(obj: Any) -> dict[str, Any]:
    """A dataclass as JSON-ready values: Decimal and datetime become strings."""
    return {f.name: _encode_value(getattr(obj, f.name)) for f in fields(obj)}


def _encode_value(value: Any) -> Any:
    if isinstance(value, Status):
        return encode(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def decode(cls: type[T], data: dict[str, Any]) -> T:
    """The inverse of `encode`, driven by the field annotations (strings under __future__)."""
    kwargs: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name not in data:
            continue
        value = data[f.name]
        kind = str(f.type)
        if value is None:
            kwargs[f.name] = None
        elif kind == "Status":
            kwargs[f.name] = decode(Status, value)
        elif kind.startswith("Decimal"):
            kwargs[f.name] = Decimal(value)
        elif kind.startswith("datetime"):
            kwargs[f.name] = datetime.fromisoformat(value)
        elif isinstance(value, list):
            kwargs[f.name] = list(value)
        elif isinstance(value, dict):
            kwargs[f.name] = dict(value)
        else:
            kwargs[f.name] = value
    return cls(**kwargs)
