"""XML for the engine: API responses (spec 1.5, 2.3) and IPN NotificationData (spec 6.4, 6.5).

A small string writer rather than ElementTree: the benchmark makes thousands of calls, and the
formatting rules (self-closing empty containers, amount styles) are easier to state directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from decimal import Decimal

from .objects import Authorization, Capture, OrderReference, Refund, Status
from .responses import escape
from .rules import AUTH_LIFETIME as _AUTH_LIFETIME
from .rules import ORO_LIFETIME as _ORO_LIFETIME

NS = "http://mws.amazonservices.com/schema/OffAmazonPayments/2013-01-01"
IPN_NS = "https://mws.amazonservices.com/ipn/OffAmazonPayments/2013-01-01"

#: real Description texts where observed (spec 3.2); the others are this simulator's wording
CONSTRAINT_DESCRIPTIONS = {
    "AmountNotSet": "The seller has not set the amount for the Order Reference.",
    "PaymentPlanNotSet": (
        "The buyer has not been able to select a Payment method for the given Order Reference."
    ),
    "ShippingAddressNotSet": (
        "The buyer has not selected a shipping address for the Order Reference."
    ),
    "PaymentMethodNotAllowed": (
        "The payment method selected by the buyer is not allowed for this Order Reference."
    ),
}


def timestamp(value: datetime) -> str:
    """UTC with milliseconds and Z: 2018-02-17T15:19:06.399Z (spec 1.5)."""
    utc = value.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def requested(amount: Decimal) -> str:
    """Requested amounts always with two decimals, even JPY: 13800 -> 13800.00 (spec 1.5)."""
    return format(amount, ".2f")


def running(amount: Decimal) -> str:
    """Running totals (CapturedAmount, RefundedAmount): "0" while zero (spec 1.5, seed 000)."""
    return "0" if amount == 0 else format(amount, ".2f")


def ipn_amount(amount: Decimal) -> str:
    """IPN amounts print like 5.0 / 0.0 (spec 6.5)."""
    text = format(amount, "f")
    if "." not in text:
        return text + ".0"
    text = text.rstrip("0")
    return text + "0" if text.endswith(".") else text


def el(name: str, text: str | None) -> str:
    """A text element; None or "" gives the self-closing form (<SellerCaptureNote/>)."""
    if not text:
        return f"<{name}/>"
    return f"<{name}>{escape(text)}</{name}>"


def node(name: str, children: Iterable[str]) -> str:
    """A container; empty gives <Name/> (spec 1.5: <IdList/>, <SellerOrderAttributes/>)."""
    inner = "".join(children)
    return f"<{name}>{inner}</{name}>" if inner else f"<{name}/>"


def _opt(name: str, text: str | None) -> str:
    return el(name, text) if text else ""


def price(name: str, amount: str, currency: str) -> str:
    return f"<{name}><Amount>{amount}</Amount><CurrencyCode>{currency}</CurrencyCode></{name}>"


def boolean(value: bool) -> str:
    return "true" if value else "false"


def status(name: str, value: Status) -> str:
    parts = [el("State", value.state)]
    if value.last_update is not None:
        parts.append(el("LastUpdateTimestamp", timestamp(value.last_update)))
    parts.append(_opt("ReasonCode", value.reason_code))
    parts.append(_opt("ReasonDescription", value.reason_description))
    return node(name, parts)


def id_list(ids: list[str], ipn: bool) -> str:
    """API XML uses <member>, IPN XML <Id> (spec 3.8)."""
    tag = "Id" if ipn else "member"
    return node("IdList", (el(tag, i) for i in ids))


def address(fields: dict[str, str], order: Iterable[str]) -> str:
    return node("PhysicalDestination", (el(k, fields[k]) for k in order if fields.get(k)))


ADDRESS_FIELDS = (
    "Name",
    "AddressLine1",
    "AddressLine2",
    "AddressLine3",
    "City",
    "County",
    "District",
    "StateOrRegion",
    "PostalCode",
    "CountryCode",
    "Phone",
)


def seller_order_attributes(oro: OrderReference, seller_id: str | None) -> str:
    parts = [_opt("SellerId", seller_id)] if seller_id else []
    parts += [
        _opt("SellerOrderId", oro.seller_order_id),
        _opt("StoreName", oro.store_name),
        _opt("CustomInformation", oro.custom_information),
        _opt("SupplementaryData", oro.supplementary_data),
    ]
    if oro.order_item_categories:
        parts.append(
            node(
                "OrderItemCategories",
                (el("OrderItemCategory", c) for c in oro.order_item_categories),
            )
        )
    return node("SellerOrderAttributes", parts)


def order_reference_details(
    oro: OrderReference,
    *,
    constraints: list[str],
    address_fields: tuple[str, ...] | None,
    show_buyer: bool,
    include_id_list: bool,
) -> str:
    """<OrderReferenceDetails> of Get/Set/SetOrderAttributes responses (spec 2.3, seed 000)."""
    parts = [el("AmazonOrderReferenceId", oro.id)]
    if show_buyer and oro.buyer:
        parts.append(node("Buyer", (_opt(k, oro.buyer.get(k)) for k in ("Name", "Email", "Phone"))))
    if oro.order_total is not None:
        parts.append(price("OrderTotal", requested(oro.order_total), oro.currency))
    parts.append(_opt("SellerNote", oro.seller_note))
    parts.append(_opt("PlatformId", oro.platform_id))
    if oro.address and address_fields:
        parts.append(
            node(
                "Destination",
                [el("DestinationType", "Physical"), address(oro.address, address_fields)],
            )
        )
    parts.append(el("ReleaseEnvironment", oro.environment))
    parts.append(seller_order_attributes(oro, None))
    parts.append(status("OrderReferenceStatus", oro.status))
    if constraints:
        parts.append(
            node(
                "Constraints",
                (
                    "<Constraint>"
                    + el("ConstraintID", c)
                    + el("Description", CONSTRAINT_DESCRIPTIONS.get(c, c))
                    + "</Constraint>"
                    for c in constraints
                ),
            )
        )
    parts.append(el("CreationTimestamp", timestamp(oro.created)))
    parts.append(el("ExpirationTimestamp", timestamp(oro.created + _ORO_LIFETIME)))
    if include_id_list:
        parts.append(id_list(oro.authorization_ids, ipn=False))
    parts.append(el("RequestPaymentAuthorization", boolean(oro.request_payment_authorization)))
    if oro.psp_id or oro.psp_order_id:
        parts.append(
            node(
                "PaymentServiceProviderAttributes",
                [
                    _opt("PaymentServiceProviderId", oro.psp_id),
                    _opt("PaymentServiceProviderOrderId", oro.psp_order_id),
                ],
            )
        )
    return node("OrderReferenceDetails", parts)


def order_reference_ipn(oro: OrderReference, seller_id: str) -> str:
    """<OrderReference> of an OrderReferenceNotification (spec 6.5)."""
    parts = [el("AmazonOrderReferenceId", oro.id)]
    if oro.order_total is not None:
        parts.append(price("OrderTotal", ipn_amount(oro.order_total), oro.currency))
    parts.append(_opt("SellerNote", oro.seller_note))
    parts.append(seller_order_attributes(oro, seller_id))
    parts.append(status("OrderReferenceStatus", oro.status))
    parts.append(el("CreationTimestamp", timestamp(oro.created)))
    parts.append(el("ExpirationTimestamp", timestamp(oro.created + _ORO_LIFETIME)))
    return node("OrderReference", parts)


def authorization_details(
    auth: Authorization, captured: Decimal, *, ipn: bool = False, name: str = "AuthorizationDetails"
) -> str:
    money = ipn_amount if ipn else requested
    parts = [
        el("AmazonAuthorizationId", auth.id),
        el("AuthorizationReferenceId", auth.reference_id),
    ]
    if not ipn:
        parts.append(el("SellerAuthorizationNote", auth.note))
    parts += [
        price("AuthorizationAmount", money(auth.amount), auth.currency),
        price("CapturedAmount", ipn_amount(captured) if ipn else running(captured), auth.currency),
        price("AuthorizationFee", money(Decimal("0")), auth.currency),
        id_list(auth.capture_ids, ipn),
        el("CreationTimestamp", timestamp(auth.created)),
        el("ExpirationTimestamp", timestamp(auth.created + _AUTH_LIFETIME)),
        status("AuthorizationStatus", auth.status),
        el("CaptureNow", boolean(auth.capture_now)),
    ]
    if auth.capture_now:
        # spec 2.3: SoftDescriptor present when CaptureNow
        parts.append(el("SoftDescriptor", auth.soft_descriptor))
    if not ipn:
        parts.append(el("SoftDecline", boolean(auth.soft_decline)))
    return node(name, parts)


def capture_details(cap: Capture, refunded: Decimal, *, ipn: bool = False) -> str:
    money = ipn_amount if ipn else requested
    parts = [
        el("AmazonCaptureId", cap.id),
        el("CaptureReferenceId", cap.reference_id),
    ]
    if not ipn:
        parts.append(el("SellerCaptureNote", cap.note))
    parts += [
        price("CaptureAmount", money(cap.amount), cap.currency),
        price("RefundedAmount", ipn_amount(refunded) if ipn else running(refunded), cap.currency),
        price("CaptureFee", money(Decimal("0")), cap.currency),
        id_list(cap.refund_ids, ipn),
        el("CreationTimestamp", timestamp(cap.created)),
        status("CaptureStatus", cap.status),
        el("SoftDescriptor", cap.soft_descriptor),
    ]
    return node("CaptureDetails", parts)


def refund_details(ref: Refund, *, ipn: bool = False) -> str:
    money = ipn_amount if ipn else requested
    parts = [
        el("AmazonRefundId", ref.id),
        el("RefundReferenceId", ref.reference_id),
    ]
    if not ipn:
        parts.append(el("SellerRefundNote", ref.note))
    parts += [
        el("RefundType", "SellerInitiated"),
        price("RefundAmount", money(ref.amount), ref.currency),
        price("FeeRefunded", money(Decimal("0")), ref.currency),
        el("CreationTimestamp", timestamp(ref.created)),
        status("RefundStatus", ref.status),
        el("SoftDescriptor", ref.soft_descriptor),
    ]
    return node("RefundDetails", parts)


def response(action: str, result: str, request_id: str) -> str:
    """The whole success document (spec 1.5); `result` is the inner XML of <{Action}Result>."""
    body = f"<{action}Result>{result}</{action}Result>" if result else f"<{action}Result/>"
    return (
        f'<?xml version="1.0"?>\n<{action}Response xmlns="{NS}">{body}'
        f"<ResponseMetadata><RequestId>{escape(request_id)}</RequestId></ResponseMetadata>"
        f"</{action}Response>"
    )


def notification_data(root: str, inner: str) -> str:
    """NotificationData document: declaration directly followed by the root (spec 6.5)."""
    return f'<?xml version="1.0" encoding="UTF-8"?><{root} xmlns="{IPN_NS}">{inner}</{root}>'
