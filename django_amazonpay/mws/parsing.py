"""XML → typed results, once, at the boundary (STYLE 3). Anything unexpected is MalformedResponse.

Namespaces are ignored (spec 1.5: Payments and Orders use different ones and a few doc samples
print https); repeated elements are always lists; unknown elements are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from xml.parsers.expat import ExpatError

import xmltodict

from ..amounts import Amount, AmountError
from .errors import MalformedResponse, MwsError, ServerError, error_class_for
from .types import (
    Acknowledgement,
    Address,
    AuthorizationDetails,
    Buyer,
    CaptureDetails,
    Constraint,
    OrderItem,
    OrderReferenceDetails,
    RefundDetails,
    SellerOrderAttributes,
    ServiceStatus,
    Status,
)

T = TypeVar("T")
#: statuses that say the service failed, whatever the body (spec 1.8: 500 and 503)
SERVER_FAILURES = frozenset({500, 502, 503, 504})
Node = Mapping[str, Any]

#: elements that may repeat (spec 2.3, 3.8, 7); always lists whatever their count
REPEATED = ("member", "Constraint", "OrderItem", "PromotionId", "OrderItemCategory")


class ShapeError(Exception):
    """A document not shaped as Amazon's; callers turn it into their own refusal
    (MalformedResponse here, a rejected notification in ipn/)."""


def _strip_prefix(path: Any, key: str, value: Any) -> tuple[str, Any]:
    return key.rsplit(":", 1)[-1], value


# an element name with a prefix (`<ns2:Amount>`); Amazon declares a default namespace instead,
# so the per-element prefix stripping (a third of xmltodict's time) is usually not needed
_PREFIXED_BYTES = re.compile(rb"<[^\s/?!>:]+:")
_PREFIXED_TEXT = re.compile(r"<[^\s/?!>:]+:")


def _has_prefixed_names(body: bytes | str) -> bool:
    pattern = _PREFIXED_BYTES if isinstance(body, bytes) else _PREFIXED_TEXT
    return pattern.search(body) is not None  # type: ignore[arg-type]


def load(body: bytes | str, repeated: tuple[str, ...] = REPEATED) -> dict[str, Any]:
    """Parse XML into dicts, `repeated` elements always lists; raises ShapeError for anything
    that is not one XML element tree."""
    if not body or not body.strip():
        raise ShapeError("empty body")
    try:
        # no attributes are read (the namespace is the only one Amazon sends): skip them
        doc = xmltodict.parse(
            body,
            force_list=repeated,
            postprocessor=_strip_prefix if _has_prefixed_names(body) else None,
            disable_entities=True,
            xml_attribs=False,
        )
    except (ExpatError, ValueError) as exc:
        raise ShapeError(f"not XML: {exc}") from None
    if not isinstance(doc, dict) or len(doc) != 1:
        raise ShapeError("no single root element")
    return doc


# -- leaf readers ------------------------------------------------------------------------------


def _node(parent: Node | None, key: str) -> dict[str, Any] | None:
    """A child element holding other elements; None when absent or empty (`<X/>`)."""
    if parent is None:
        return None
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        if value.strip():
            raise ShapeError(f"<{key}> should contain elements")
        return None
    if not isinstance(value, dict):
        raise ShapeError(f"<{key}> appears more than once")
    return value


def _text(parent: Node | None, key: str) -> str | None:
    if parent is None:
        return None
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, dict):  # <X attr="..">text</X> or nested elements
        if set(value) - {"#text"} - {k for k in value if k.startswith("@")}:
            raise ShapeError(f"<{key}> should be text")
        value = value.get("#text") or ""
    if not isinstance(value, str):
        raise ShapeError(f"<{key}> should be text")
    return value.strip()


def _required(parent: Node | None, key: str) -> str:
    value = _text(parent, key)
    if not value:
        raise ShapeError(f"<{key}> missing")
    return value


def _timestamp(parent: Node | None, key: str) -> datetime | None:
    value = _text(parent, key)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ShapeError(f"<{key}> is not a timestamp: {value!r}") from None
    if moment.tzinfo is None:  # spec 1.2 item 3: zone-less means UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def _bool(parent: Node | None, key: str) -> bool | None:
    value = _text(parent, key)
    if not value:
        return None
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise ShapeError(f"<{key}> is not a boolean: {value!r}")
    return lowered == "true"


def _int(parent: Node | None, key: str) -> int | None:
    value = _text(parent, key)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ShapeError(f"<{key}> is not an integer: {value!r}") from None


def _amount(parent: Node | None, key: str) -> Amount | None:
    """Price {Amount, CurrencyCode}: Decimal from the text, never float (STYLE 5)."""
    price = _node(parent, key)
    if price is None:
        return None
    try:
        return Amount(Decimal(_required(price, "Amount")), _required(price, "CurrencyCode"))
    except (InvalidOperation, AmountError) as exc:
        raise ShapeError(f"<{key}> is not an amount: {exc}") from None


def _amount_required(parent: Node | None, key: str) -> Amount:
    value = _amount(parent, key)
    if value is None:
        raise ShapeError(f"<{key}> missing")
    return value


def _list(parent: Node | None, container: str, item: str) -> list[Any]:
    box = _node(parent, container)
    if box is None:
        return []
    items = box.get(item) or []
    if not isinstance(items, list):
        raise ShapeError(f"<{item}> not parsed as a list")
    return items


def _ids(parent: Node | None) -> tuple[str, ...]:
    """IdList/member*: a tuple for zero, one or many (spec 3.8)."""
    out = []
    for member in _list(parent, "IdList", "member"):
        if not isinstance(member, str) or not member.strip():
            raise ShapeError("<IdList><member> should be text")
        out.append(member.strip())
    return tuple(out)


# -- records ----------------------------------------------------------------------------------


def _status(parent: Node, key: str) -> Status:
    node = _node(parent, key)
    if node is None:
        raise ShapeError(f"<{key}> missing")
    return Status(
        state=_required(node, "State"),
        reason_code=_text(node, "ReasonCode") or None,
        reason_description=_text(node, "ReasonDescription") or None,
        last_update=_timestamp(node, "LastUpdateTimestamp"),
    )


def _address(node: Node | None) -> Address | None:
    if node is None:
        return None
    fields = {
        "name": "Name", "address_line1": "AddressLine1", "address_line2": "AddressLine2",
        "address_line3": "AddressLine3", "city": "City", "county": "County",
        "district": "District", "state_or_region": "StateOrRegion", "postal_code": "PostalCode",
        "country_code": "CountryCode", "phone": "Phone",
    }  # fmt: skip
    return Address(**{attr: _text(node, tag) or None for attr, tag in fields.items()})


def order_reference(node: Node) -> OrderReferenceDetails:
    seller = _node(node, "SellerOrderAttributes")
    buyer = _node(node, "Buyer")
    destination = _node(node, "Destination")
    billing = _node(node, "BillingAddress")
    constraints = []
    for item in _list(node, "Constraints", "Constraint"):
        if not isinstance(item, dict):
            raise ShapeError("<Constraint> should contain elements")
        constraints.append(
            Constraint(_required(item, "ConstraintID"), _text(item, "Description") or None)
        )
    return OrderReferenceDetails(
        amazon_order_reference_id=_required(node, "AmazonOrderReferenceId"),
        status=_status(node, "OrderReferenceStatus"),
        order_total=_amount(node, "OrderTotal"),
        seller_note=_text(node, "SellerNote") or None,
        seller_order_attributes=SellerOrderAttributes(
            seller_order_id=_text(seller, "SellerOrderId") or None,
            store_name=_text(seller, "StoreName") or None,
            custom_information=_text(seller, "CustomInformation") or None,
        ),
        destination=_address(_node(destination, "PhysicalDestination")),
        billing_address=_address(_node(billing, "PhysicalAddress")),
        buyer=Buyer(
            name=_text(buyer, "Name") or None,
            email=_text(buyer, "Email") or None,
            phone=_text(buyer, "Phone") or None,
        )
        if buyer is not None
        else None,
        release_environment=_text(node, "ReleaseEnvironment") or None,
        constraints=tuple(constraints),
        id_list=_ids(node),
        creation_timestamp=_timestamp(node, "CreationTimestamp"),
        expiration_timestamp=_timestamp(node, "ExpirationTimestamp"),
        request_payment_authorization=bool(_bool(node, "RequestPaymentAuthorization")),
    )


def authorization(node: Node) -> AuthorizationDetails:
    return AuthorizationDetails(
        amazon_authorization_id=_required(node, "AmazonAuthorizationId"),
        authorization_reference_id=_required(node, "AuthorizationReferenceId"),
        status=_status(node, "AuthorizationStatus"),
        authorization_amount=_amount_required(node, "AuthorizationAmount"),
        captured_amount=_amount_required(node, "CapturedAmount"),
        authorization_fee=_amount(node, "AuthorizationFee"),
        seller_authorization_note=_text(node, "SellerAuthorizationNote") or None,
        id_list=_ids(node),
        capture_now=bool(_bool(node, "CaptureNow")),
        soft_decline=_bool(node, "SoftDecline"),
        soft_descriptor=_text(node, "SoftDescriptor") or None,
        creation_timestamp=_timestamp(node, "CreationTimestamp"),
        expiration_timestamp=_timestamp(node, "ExpirationTimestamp"),
    )


def capture(node: Node) -> CaptureDetails:
    return CaptureDetails(
        amazon_capture_id=_required(node, "AmazonCaptureId"),
        capture_reference_id=_required(node, "CaptureReferenceId"),
        status=_status(node, "CaptureStatus"),
        capture_amount=_amount_required(node, "CaptureAmount"),
        refunded_amount=_amount_required(node, "RefundedAmount"),
        capture_fee=_amount(node, "CaptureFee"),
        seller_capture_note=_text(node, "SellerCaptureNote") or None,
        soft_descriptor=_text(node, "SoftDescriptor") or None,
        id_list=_ids(node),
        creation_timestamp=_timestamp(node, "CreationTimestamp"),
    )


def refund(node: Node) -> RefundDetails:
    return RefundDetails(
        amazon_refund_id=_required(node, "AmazonRefundId"),
        refund_reference_id=_required(node, "RefundReferenceId"),
        status=_status(node, "RefundStatus"),
        refund_amount=_amount_required(node, "RefundAmount"),
        fee_refunded=_amount(node, "FeeRefunded"),
        refund_type=_text(node, "RefundType") or None,
        seller_refund_note=_text(node, "SellerRefundNote") or None,
        soft_descriptor=_text(node, "SoftDescriptor") or None,
        creation_timestamp=_timestamp(node, "CreationTimestamp"),
    )


def service_status(node: Node) -> ServiceStatus:
    return ServiceStatus(status=_required(node, "Status"), timestamp=_timestamp(node, "Timestamp"))


def order_item(node: Node) -> OrderItem:
    points = _node(node, "PointsGranted")
    promotions = _list(node, "PromotionIds", "PromotionId")
    return OrderItem(
        asin=_required(node, "ASIN"),
        order_item_id=_required(node, "OrderItemId"),
        quantity_ordered=_int(node, "QuantityOrdered") or 0,
        seller_sku=_text(node, "SellerSKU") or None,
        title=_text(node, "Title") or None,
        quantity_shipped=_int(node, "QuantityShipped"),
        # spec 7: omitted while the order is Pending, so None rather than zero
        item_price=_amount(node, "ItemPrice"),
        shipping_price=_amount(node, "ShippingPrice"),
        gift_wrap_price=_amount(node, "GiftWrapPrice"),
        item_tax=_amount(node, "ItemTax"),
        shipping_tax=_amount(node, "ShippingTax"),
        gift_wrap_tax=_amount(node, "GiftWrapTax"),
        shipping_discount=_amount(node, "ShippingDiscount"),
        promotion_discount=_amount(node, "PromotionDiscount"),
        cod_fee=_amount(node, "CODFee"),
        cod_fee_discount=_amount(node, "CODFeeDiscount"),
        points_granted=_int(points, "PointsNumber"),
        promotion_ids=tuple(str(p).strip() for p in promotions if isinstance(p, str)),
        condition_id=_text(node, "ConditionId") or None,
        condition_subtype_id=_text(node, "ConditionSubtypeId") or None,
        is_gift=_bool(node, "IsGift"),
    )


# -- documents --------------------------------------------------------------------------------


def error_from(doc: Node, status: int, operation: str) -> MwsError:
    """ErrorResponse → the classified MwsError (spec 1.6; RequestID variant when throttled)."""
    root = _node(doc, "ErrorResponse")
    error = _node(root, "Error")
    if root is None or error is None:
        raise ShapeError("ErrorResponse without <Error>")
    code = _text(error, "Code") or None
    request_id = _text(root, "RequestId") or _text(root, "RequestID") or None
    cls = error_class_for(code, status)
    return cls(
        _text(error, "Message") or "",
        code=code,
        type=_text(error, "Type") or None,
        request_id=request_id,
        status=status,
        operation=operation,
    )


def parse_response(
    operation: str, status: int, body: bytes | str, build: Callable[[Node], T]
) -> tuple[T, str | None]:
    """One HTTP answer → `build(<{operation}Result>)`, or raise the MwsError it carries.

    `build` receives the Result element ({} when empty, spec 1.5); the request id comes back
    beside the result. Every shape problem becomes MalformedResponse, never KeyError/TypeError.
    """
    try:
        doc = load(body)
        if "ErrorResponse" in doc:
            raise error_from(doc, status, operation)
        if status != 200:
            raise ShapeError(f"HTTP {status} without an ErrorResponse")
        root = doc.get(f"{operation}Response")
        if not isinstance(root, dict):
            raise ShapeError(f"root is <{next(iter(doc))}>, expected <{operation}Response>")
        if f"{operation}Result" not in root:
            raise ShapeError(f"<{operation}Result> missing")
        result = _node(root, f"{operation}Result") or {}
        request_id = _text(_node(root, "ResponseMetadata"), "RequestId") or None
        return build(result), request_id
    except ShapeError as exc:
        if status in SERVER_FAILURES:
            # not Amazon's document but a failed service (a load balancer's HTML 503, an
            # empty 502): the same meaning, and the same retries, as Amazon's own 5xx
            raise ServerError(
                f"HTTP {status} without an ErrorResponse ({exc})",
                status=status,
                operation=operation,
            ) from None
        raise MalformedResponse(
            str(exc), status=status, body=_as_text(body), operation=operation
        ) from None
    except (KeyError, TypeError, AttributeError, ValueError) as exc:  # belt and braces
        raise MalformedResponse(
            f"unexpected shape: {exc!r}", status=status, body=_as_text(body), operation=operation
        ) from None


def _as_text(body: bytes | str) -> str:
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else body


def child(name: str, build: Callable[[Node], T]) -> Callable[[Node], T]:
    """A builder reading one required child element of the Result (e.g. AuthorizationDetails)."""

    def inner(result: Node) -> T:
        node = _node(result, name)
        if node is None:
            raise ShapeError(f"<{name}> missing")
        return build(node)

    return inner


def acknowledgement(result: Node) -> Acknowledgement:
    return Acknowledgement()


def order_items_page(result: Node) -> tuple[list[OrderItem], str | None]:
    items = []
    for item in _list(result, "OrderItems", "OrderItem"):
        if not isinstance(item, dict):
            raise ShapeError("<OrderItem> should contain elements")
        items.append(order_item(item))
    return items, _text(result, "NextToken") or None
