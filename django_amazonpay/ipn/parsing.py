"""The Message JSON and its NotificationData XML, for every notification type (spec 6.3-6.5).

Payment notifications become the same typed details as the API's Get...Details answers
(mws.types); only their ids are used (hints.py): nothing a notification says is applied.
IPN XML differs from the API's in two ways handled here: its own namespace, and IdList entries
named <Id> instead of <member> (spec 3.8).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..mws import parsing as mws_parsing
from ..mws.types import AuthorizationDetails, CaptureDetails, OrderReferenceDetails, RefundDetails
from .errors import Rejected

#: spec 6.4: NotificationType -> (root element, child element)
ROOTS: dict[str, tuple[str, str]] = {
    "OrderReferenceNotification": ("OrderReferenceNotification", "OrderReference"),
    "PaymentAuthorize": ("AuthorizationNotification", "AuthorizationDetails"),
    "PaymentCapture": ("CaptureNotification", "CaptureDetails"),
    "PaymentRefund": ("RefundNotification", "RefundDetails"),
    "BillingAgreementNotification": ("BillingAgreementNotification", "BillingAgreement"),
    "ChargebackDetailedNotification": ("ChargebackNotification", "ChargebackDetails"),
}
#: payment notification types and the mws.parsing builder of their child element
BUILDERS = {
    "OrderReferenceNotification": mws_parsing.order_reference,
    "PaymentAuthorize": mws_parsing.authorization,
    "PaymentCapture": mws_parsing.capture,
    "PaymentRefund": mws_parsing.refund,
}
#: solution-provider notifications (spec 6.4): acknowledged, nothing to apply
PROVIDER_TYPES = ("ProviderCredit", "ProviderCreditReversal", "SolutionProviderEvent")
REPEATED = (*mws_parsing.REPEATED, "Id")


@dataclass(frozen=True)
class ChargebackDetails:
    """spec 6.5 ChargebackDetails: informational, the money moves as a Chargeback refund."""

    amazon_chargeback_id: str
    amazon_order_reference_id: str | None
    amazon_capture_reference_id: str | None
    state: str | None
    reason: str | None
    amount: Decimal | None
    currency: str | None
    creation_timestamp: datetime | None


@dataclass(frozen=True)
class BillingAgreementDetails:
    """spec 6.5 BillingAgreement, as far as a one-time-payment app needs it: logged only."""

    amazon_billing_agreement_id: str
    state: str | None
    event_type: str | None


@dataclass(frozen=True)
class Notification:
    """The Message JSON (spec 6.3) with its NotificationData parsed when the type is known."""

    notification_type: str
    seller_id: str
    release_environment: str
    marketplace_id: str = ""
    reference_id: str = ""
    timestamp: str = ""
    is_sample: bool = False
    data_xml: str = ""
    #: OrderReferenceDetails | AuthorizationDetails | CaptureDetails | RefundDetails |
    #: ChargebackDetails | BillingAgreementDetails, or None for types we do not model
    details: Any = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def object_id(self) -> str:
        d = self.details
        for name in (
            "amazon_authorization_id",
            "amazon_capture_id",
            "amazon_refund_id",
            "amazon_chargeback_id",
            "amazon_billing_agreement_id",
            "amazon_order_reference_id",
        ):
            value = getattr(d, name, None)
            if value:
                return str(value)
        return ""

    @property
    def is_payment(self) -> bool:
        return isinstance(
            self.details,
            OrderReferenceDetails | AuthorizationDetails | CaptureDetails | RefundDetails,
        )


def normalize_type(value: str) -> str:
    """Real chargeback messages say "Chargeback Detailed Notification" (spec 6.4)."""
    return value.replace(" ", "")


def _load_xml(text: str) -> dict[str, Any]:
    try:
        return mws_parsing.load(text, repeated=REPEATED)
    except mws_parsing.ShapeError as exc:
        raise Rejected(f"NotificationData: {exc}") from None
    except RecursionError:
        raise Rejected("NotificationData is nested too deeply") from None


def _ids_as_members(node: Any) -> Any:
    """IPN IdList/Id -> API IdList/member so mws.parsing reads it unchanged (spec 3.8)."""
    if isinstance(node, dict):
        box = node.get("IdList")
        if isinstance(box, dict) and "Id" in box:
            node = {**node, "IdList": {"member": box["Id"]}}
    return node


def _child(doc: dict[str, Any], root: str, child: str) -> dict[str, Any]:
    top = doc.get(root)
    if not isinstance(top, dict):
        raise Rejected(f"NotificationData root is <{next(iter(doc))}>, expected <{root}>")
    node = top.get(child)
    if not isinstance(node, dict):
        raise Rejected(f"<{child}> missing in <{root}>")
    return node


def _text(node: Any, key: str) -> str | None:
    value = node.get(key) if isinstance(node, dict) else None
    if isinstance(value, dict):
        value = value.get("#text")
    return value.strip() if isinstance(value, str) else None


def _chargeback(node: dict[str, Any]) -> ChargebackDetails:
    amount_node = node.get("ChargebackAmount")
    amount = currency = None
    if isinstance(amount_node, dict):
        try:
            amount = Decimal(_text(amount_node, "Amount") or "")
        except InvalidOperation:
            amount = None
        currency = _text(amount_node, "CurrencyCode")
    created = _text(node, "CreationTimestamp")
    chargeback_id = _text(node, "AmazonChargebackId")
    if not chargeback_id:
        raise Rejected("<AmazonChargebackId> missing")
    return ChargebackDetails(
        amazon_chargeback_id=chargeback_id,
        amazon_order_reference_id=_text(node, "AmazonOrderReferenceId"),
        amazon_capture_reference_id=_text(node, "AmazonCaptureReferenceId"),
        state=_text(node, "ChargebackState"),
        reason=_text(node, "ChargebackReason"),
        amount=amount,
        currency=currency,
        creation_timestamp=mws_parsing._timestamp(node, "CreationTimestamp") if created else None,
    )


def _billing_agreement(node: dict[str, Any], event_type: str | None) -> BillingAgreementDetails:
    status = node.get("BillingAgreementStatus")
    return BillingAgreementDetails(
        amazon_billing_agreement_id=_text(node, "AmazonBillingAgreementId") or "",
        state=_text(status, "State"),
        event_type=event_type,
    )


def parse_details(notification_type: str, data_xml: str, event_type: str | None = None) -> Any:
    """NotificationData -> typed details; None for a type we do not model (logged upstream)."""
    if notification_type not in ROOTS:
        return None
    root, child = ROOTS[notification_type]
    node = _child(_load_xml(data_xml), root, child)
    try:
        if notification_type in BUILDERS:
            return BUILDERS[notification_type](_ids_as_members(node))
        if notification_type == "ChargebackDetailedNotification":
            return _chargeback(node)
        return _billing_agreement(node, event_type)
    except Rejected:
        raise
    except Exception as exc:  # mws.parsing.ShapeError and the like
        raise Rejected(f"NotificationData of {notification_type} is malformed: {exc}") from None


def parse_message(message: str) -> Notification:
    """The envelope's Message string (spec 6.3) -> Notification; Rejected if malformed."""
    try:
        data = json.loads(message)
    except RecursionError:
        raise Rejected("Message is JSON nested too deeply") from None
    except (TypeError, ValueError):
        raise Rejected("Message is not JSON") from None
    if not isinstance(data, dict):
        raise Rejected("Message is not a JSON object")
    missing = [k for k in ("NotificationType", "SellerId", "ReleaseEnvironment") if not data.get(k)]
    if missing:
        raise Rejected(f"Message lacks {', '.join(missing)}")
    notification_type = normalize_type(str(data["NotificationType"]))
    data_xml = data.get("NotificationData") or ""
    if not isinstance(data_xml, str):
        raise Rejected("NotificationData is not text")
    details = None
    if notification_type in ROOTS:
        details = parse_details(notification_type, data_xml, data.get("EventType"))
    return Notification(
        notification_type=notification_type,
        seller_id=str(data["SellerId"]),
        release_environment=str(data["ReleaseEnvironment"]),
        marketplace_id=str(data.get("MarketplaceID") or ""),
        reference_id=str(data.get("NotificationReferenceId") or ""),
        timestamp=str(data.get("Timestamp") or ""),
        is_sample=str(data.get("IsSample", "")).lower() == "true",
        data_xml=data_xml,
        details=details,
        raw=data,
    )
