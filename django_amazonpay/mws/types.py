"""Typed results of the OffAmazonPayments and Orders operations.

Frozen dataclasses built once at the boundary (mws/parsing.py): amounts are `Amount`,
timestamps aware datetimes, id lists always tuples, booleans bools. Callers never see XML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..amounts import Amount


@dataclass(frozen=True)
class Status:
    """OrderReferenceStatus / AuthorizationStatus / CaptureStatus / RefundStatus (spec 2.3)."""

    state: str
    reason_code: str | None = None
    reason_description: str | None = None
    #: absent while an order reference is Draft
    last_update: datetime | None = None


@dataclass(frozen=True)
class Address:
    """Amazon's Address type (spec 2.3). JP: prefecture in state_or_region, city usually empty."""

    name: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    city: str | None = None
    county: str | None = None
    district: str | None = None
    state_or_region: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Buyer:
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Constraint:
    constraint_id: str
    description: str | None = None


@dataclass(frozen=True)
class SellerOrderAttributes:
    seller_order_id: str | None = None
    store_name: str | None = None
    custom_information: str | None = None


@dataclass(frozen=True)
class OrderReferenceDetails:
    amazon_order_reference_id: str
    status: Status
    order_total: Amount | None = None
    seller_note: str | None = None
    seller_order_attributes: SellerOrderAttributes = field(default_factory=SellerOrderAttributes)
    destination: Address | None = None
    billing_address: Address | None = None
    buyer: Buyer | None = None
    release_environment: str | None = None
    constraints: tuple[Constraint, ...] = ()
    #: authorization ids
    id_list: tuple[str, ...] = ()
    creation_timestamp: datetime | None = None
    expiration_timestamp: datetime | None = None
    request_payment_authorization: bool = False
    request_id: str | None = None


@dataclass(frozen=True)
class AuthorizationDetails:
    amazon_authorization_id: str
    authorization_reference_id: str
    status: Status
    authorization_amount: Amount
    captured_amount: Amount
    authorization_fee: Amount | None = None
    seller_authorization_note: str | None = None
    #: capture ids
    id_list: tuple[str, ...] = ()
    capture_now: bool = False
    soft_decline: bool | None = None
    soft_descriptor: str | None = None
    creation_timestamp: datetime | None = None
    expiration_timestamp: datetime | None = None
    request_id: str | None = None

    @property
    def amazon_order_reference_id(self) -> str:
        return self.amazon_authorization_id.rsplit("-", 1)[0]


@dataclass(frozen=True)
class CaptureDetails:
    amazon_capture_id: str
    capture_reference_id: str
    status: Status
    capture_amount: Amount
    refunded_amount: Amount
    capture_fee: Amount | None = None
    seller_capture_note: str | None = None
    soft_descriptor: str | None = None
    #: refund ids
    id_list: tuple[str, ...] = ()
    creation_timestamp: datetime | None = None
    request_id: str | None = None

    @property
    def amazon_order_reference_id(self) -> str:
        return self.amazon_capture_id.rsplit("-", 1)[0]


@dataclass(frozen=True)
class RefundDetails:
    amazon_refund_id: str
    refund_reference_id: str
    status: Status
    refund_amount: Amount
    fee_refunded: Amount | None = None
    refund_type: str | None = None
    seller_refund_note: str | None = None
    soft_descriptor: str | None = None
    creation_timestamp: datetime | None = None
    request_id: str | None = None

    @property
    def amazon_order_reference_id(self) -> str:
        return self.amazon_refund_id.rsplit("-", 1)[0]


@dataclass(frozen=True)
class Acknowledgement:
    """The empty result of Confirm/Cancel/Close/CloseAuthorization: only the request id."""

    request_id: str | None = None


@dataclass(frozen=True)
class ServiceStatus:
    status: str
    timestamp: datetime | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class OrderItem:
    """One MWS Orders OrderItem (spec 7); pricing is None while the order is Pending."""

    asin: str
    order_item_id: str
    quantity_ordered: int
    seller_sku: str | None = None
    title: str | None = None
    quantity_shipped: int | None = None
    item_price: Amount | None = None
    shipping_price: Amount | None = None
    gift_wrap_price: Amount | None = None
    item_tax: Amount | None = None
    shipping_tax: Amount | None = None
    gift_wrap_tax: Amount | None = None
    shipping_discount: Amount | None = None
    promotion_discount: Amount | None = None
    cod_fee: Amount | None = None
    cod_fee_discount: Amount | None = None
    points_granted: int | None = None
    promotion_ids: tuple[str, ...] = ()
    condition_id: str | None = None
    condition_subtype_id: str | None = None
    is_gift: bool | None = None


@dataclass(frozen=True)
class CallRecord:
    """What one client call did, handed to `on_call` (the service layer's call log).

    Ids and codes only: no parameters, no secrets, no personal data.
    """

    operation: str
    #: the id the call was about (order reference, authorization, capture, refund, order id)
    object_id: str | None
    #: seconds, all attempts and pauses included
    duration: float
    attempts: int
    http_status: int | None
    #: "ok" | "error" (an ErrorResponse) | "transport" (no answer) | "malformed" |
    #: "resolved" (a repeat refused as a duplicate, answered by a lookup) | "exception"
    #: (something other than an AmazonPayError escaped, e.g. a bug in a result builder) |
    #: "throttled" (never sent: no throttle token within the call's wait budget)
    outcome: str
    error_code: str | None = None
    request_id: str | None = None
