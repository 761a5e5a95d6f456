"""What may appear in logs: an allow-list of parameter and element names (STYLE 3).

Redaction works on parsed structures (the parameter dict, the xmltodict tree), never on raw
text: a name not listed here is replaced by REDACTED, so a new Amazon field is hidden until
someone decides it is harmless. Secrets (key, Signature, AccessToken) and personal data
(buyer, addresses, phone, notes) are simply never listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"

#: request parameters shown in a wire dump
SAFE_PARAMS = frozenset(
    {
        "Action", "Version", "Timestamp", "SignatureMethod", "SignatureVersion", "SellerId",
        "AmazonOrderReferenceId", "AmazonAuthorizationId", "AmazonCaptureId", "AmazonRefundId",
        "AuthorizationReferenceId", "CaptureReferenceId", "RefundReferenceId",
        "TransactionTimeout", "CaptureNow", "SoftDescriptor", "ExpectImmediateAuthorization",
        "AmazonOrderId", "PlatformId",
        "AuthorizationAmount.Amount", "AuthorizationAmount.CurrencyCode",
        "CaptureAmount.Amount", "CaptureAmount.CurrencyCode",
        "RefundAmount.Amount", "RefundAmount.CurrencyCode",
        "OrderReferenceAttributes.OrderTotal.Amount",
        "OrderReferenceAttributes.OrderTotal.CurrencyCode",
        "OrderReferenceAttributes.SellerOrderAttributes.SellerOrderId",
        "OrderReferenceAttributes.SellerOrderAttributes.StoreName",
        "OrderReferenceAttributes.RequestPaymentAuthorization",
        "OrderAttributes.OrderTotal.Amount", "OrderAttributes.OrderTotal.CurrencyCode",
        "OrderAttributes.SellerOrderAttributes.SellerOrderId",
        "OrderAttributes.SellerOrderAttributes.StoreName",
        "OrderAttributes.RequestPaymentAuthorization",
    }
)  # fmt: skip

#: response elements whose text is shown; containers not listed are hidden whole
SAFE_ELEMENTS = frozenset(
    {
        "AmazonOrderReferenceId", "AmazonAuthorizationId", "AmazonCaptureId", "AmazonRefundId",
        "AuthorizationReferenceId", "CaptureReferenceId", "RefundReferenceId", "AmazonOrderId",
        "State", "ReasonCode", "LastUpdateTimestamp", "CreationTimestamp",
        "ExpirationTimestamp", "Amount", "CurrencyCode", "ReleaseEnvironment", "CaptureNow",
        "SoftDecline", "SoftDescriptor", "RefundType", "RequestPaymentAuthorization",
        "ConstraintID", "Description", "member", "RequestId", "RequestID", "Code", "Type",
        "Message", "Status", "Timestamp", "NextToken", "ASIN", "OrderItemId", "SellerSKU",
        "QuantityOrdered", "QuantityShipped", "SellerOrderId", "StoreName", "DestinationType",
        "CountryCode", "IsGift", "PromotionId", "ConditionId", "ConditionSubtypeId",
        "PointsNumber", "TransactionTimeout",
    }
)  # fmt: skip

#: containers walked into (their children are judged one by one)
OPEN_CONTAINERS = frozenset(
    {
        "OrderReferenceDetails", "AuthorizationDetails", "CaptureDetails", "RefundDetails",
        "OrderReferenceStatus", "AuthorizationStatus", "CaptureStatus", "RefundStatus",
        "OrderTotal", "AuthorizationAmount", "CapturedAmount", "AuthorizationFee",
        "CaptureAmount", "RefundedAmount", "CaptureFee", "RefundAmount", "FeeRefunded",
        "IdList", "Constraints", "Constraint", "SellerOrderAttributes", "ResponseMetadata",
        "Error", "ErrorResponse", "OrderItems", "OrderItem", "ItemPrice", "ShippingPrice",
        "GiftWrapPrice", "ItemTax", "ShippingTax", "GiftWrapTax", "ShippingDiscount",
        "PromotionDiscount", "CODFee", "CODFeeDiscount", "PromotionIds", "PointsGranted",
        "Destination",
    }
)  # fmt: skip


def redact_params(params: Mapping[str, str]) -> dict[str, str]:
    """A copy of request parameters with every non-allow-listed value replaced."""
    return {k: (v if k in SAFE_PARAMS else REDACTED) for k, v in params.items()}


def redact_tree(node: Any, name: str = "") -> Any:
    """A copy of an xmltodict tree keeping only allow-listed elements' text.

    Roots and Results (`...Response`, `...Result`) are walked into; so are OPEN_CONTAINERS.
    """
    walk = (
        not name or name in OPEN_CONTAINERS or name.endswith("Response") or name.endswith("Result")
    )
    if isinstance(node, list):
        return [redact_tree(item, name) for item in node]
    if isinstance(node, Mapping):
        if not walk:
            return REDACTED
        return {
            key: redact_tree(value, key)
            for key, value in node.items()
            if not key.startswith("@")  # namespace declarations: noise
        }
    if node is None:
        return None
    return node if name in SAFE_ELEMENTS else REDACTED
