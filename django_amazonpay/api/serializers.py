"""Input validation and the JSON the API answers with (amounts as strings, STYLE 5)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..amounts import CURRENCY_EXPONENTS
from ..models import Authorization, Capture, OrderReference
from .steps import NEXT_ACTIONS, UNREAD, latest_authorization, next_action, wallet_mode

#: spec 2.3: S (sandbox) or P (production), then ddd-ddddddd-ddddddd
ORDER_REFERENCE_ID = RegexValidator(
    r"^[SP]\d{2}-\d{7}-\d{7}$", _("Not an Amazon order reference id (e.g. S03-1234567-1234567).")
)
ORDER_ID = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.:/#-]*$", _("Use letters, digits and _ . : / # - only.")
)


@extend_schema_field({"type": "string", "format": "decimal", "example": "6500"})
class MoneyField(serializers.Field):
    """A Decimal amount as a string with its currency's digits: "6500" JPY, "12.50" USD."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> tuple[Any, str]:
        value = super().get_attribute(instance)
        currency = instance["currency"] if isinstance(instance, dict) else instance.currency
        return value, currency

    def to_representation(self, value: tuple[Any, str]) -> str:
        amount, currency = value
        exponent = CURRENCY_EXPONENTS.get(currency, 2)
        return str(Decimal(amount).quantize(Decimal(1).scaleb(-exponent)))


class StartCheckoutSerializer(serializers.Serializer):
    amazon_order_reference_id = serializers.CharField(
        max_length=64,
        validators=[ORDER_REFERENCE_ID],
        help_text=_("The id the Amazon Pay widgets gave the storefront."),
    )
    access_token = serializers.CharField(
        max_length=2048,
        required=False,
        allow_blank=True,
        help_text=_("The buyer's Login with Amazon access token (to read the full address)."),
    )


class SetOrderSerializer(serializers.Serializer):
    order_id = serializers.CharField(
        max_length=128,
        validators=[ORDER_ID],
        help_text=_(
            "The shop's order id; amount and items come from ORDER_RESOLVER, never from here."
        ),
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        help_text=_("Why the buyer or shop canceled (sent to Amazon)."),
    )


class EmptySerializer(serializers.Serializer):
    """No body needed."""


class ConstraintSerializer(serializers.Serializer):
    id = serializers.CharField(help_text=_("Amazon's ConstraintID, e.g. ShippingAddressNotSet."))
    description = serializers.CharField(allow_blank=True)


class ItemSerializer(serializers.Serializer):
    title = serializers.CharField()
    sku = serializers.CharField(allow_blank=True)
    variation = serializers.CharField(allow_blank=True)
    unit_price = MoneyField()
    quantity = serializers.IntegerField()
    line_total = MoneyField()
    currency = serializers.CharField()


class CaptureSerializer(serializers.Serializer):
    amazon_capture_id = serializers.CharField(allow_blank=True)
    state = serializers.CharField(allow_blank=True)
    reason_code = serializers.CharField(allow_blank=True)
    amount = MoneyField()
    refunded_amount = MoneyField()
    currency = serializers.CharField()


class AuthorizationSerializer(serializers.Serializer):
    amazon_authorization_id = serializers.CharField(allow_blank=True)
    state = serializers.CharField(allow_blank=True, help_text=_("Pending, Open, Declined, Closed."))
    reason_code = serializers.CharField(allow_blank=True)
    soft_decline = serializers.BooleanField(allow_null=True)
    amount = MoneyField()
    captured_amount = MoneyField()
    currency = serializers.CharField()
    attempt_state = serializers.CharField(help_text=_("requesting, in_doubt, done or failed."))


NEXT_ACTION_FIELD: dict[str, Any] = {
    "choices": NEXT_ACTIONS,
    "help_text": _("What the storefront should do next (see docs/api.md)."),
}


class PaymentSerializer(serializers.Serializer):
    amazon_order_reference_id = serializers.CharField()
    order_state = serializers.CharField()
    outcome = serializers.ChoiceField(
        choices=("none", "pending", "authorized", "captured", "declined", "in_doubt", "closed"),
        help_text=_("The latest authorization's outcome."),
    )
    authorization = AuthorizationSerializer(allow_null=True)
    captures = CaptureSerializer(many=True)
    next_action = serializers.ChoiceField(**NEXT_ACTION_FIELD)


class CheckoutSerializer(serializers.Serializer):
    amazon_order_reference_id = serializers.CharField()
    state = serializers.CharField(help_text=_("Draft, Open, Suspended, Canceled or Closed."))
    reason_code = serializers.CharField(allow_blank=True)
    constraints = ConstraintSerializer(many=True)
    order_id = serializers.CharField(allow_blank=True, help_text=_("The shop's order id."))
    destination = serializers.DictField(
        help_text=_("The shipping address (Amazon's Address fields in snake_case).")
    )
    buyer = serializers.DictField(child=serializers.CharField(allow_blank=True))
    items = ItemSerializer(many=True)
    items_total = MoneyField()
    shipping_fee = MoneyField()
    discount = MoneyField()
    discount_note = serializers.CharField(allow_blank=True)
    amount = MoneyField(help_text=_("Order total sent to Amazon."))
    currency = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    authorization = AuthorizationSerializer(allow_null=True)
    wallet = serializers.ChoiceField(
        choices=("edit", "read"), help_text=_("Show the wallet editable or read-only.")
    )
    next_action = serializers.ChoiceField(**NEXT_ACTION_FIELD)


def checkout_data(
    oro: OrderReference,
    *,
    constraints: list[dict[str, str]] | None = None,
    action: str | None = None,
    authorization: Authorization | None = UNREAD,
) -> dict[str, Any]:
    """The CheckoutSerializer's data for `oro`.

    `authorization`: the latest one when the caller has just read it (saves a query).
    """
    constraints = constraints or []
    items = list(oro.items.all())  # once: the list and its total
    if authorization is UNREAD:
        authorization = latest_authorization(oro)
    data = {
        "amazon_order_reference_id": oro.amazon_order_reference_id,
        "state": oro.state,
        "reason_code": oro.reason_code,
        "constraints": constraints,
        "order_id": oro.seller_order_id,
        "destination": oro.destination or {},
        "buyer": {"name": oro.buyer_name, "email": oro.buyer_email},
        "items": items,
        "items_total": sum((item.line_total for item in items), Decimal("0")),
        "shipping_fee": oro.shipping_fee,
        "discount": oro.discount,
        "discount_note": oro.discount_note,
        "amount": oro.amount,
        "currency": oro.currency,
        "expires_at": oro.expiration,
        "authorization": authorization,
        "wallet": wallet_mode(oro),
        "next_action": action
        or next_action(oro, [c["id"] for c in constraints], authorization=authorization),
    }
    return CheckoutSerializer(data).data


def payment_data(
    oro: OrderReference, *, outcome: str, action: str, authorization: Authorization | None = UNREAD
) -> dict[str, Any]:
    """The PaymentSerializer's data; `authorization` as for checkout_data."""
    auth = latest_authorization(oro) if authorization is UNREAD else authorization
    captures: list[Capture] = list(auth.captures.all()) if auth is not None else []
    return PaymentSerializer(
        {
            "amazon_order_reference_id": oro.amazon_order_reference_id,
            "order_state": oro.state,
            "outcome": outcome,
            "authorization": auth,
            "captures": captures,
            "next_action": action,
        }
    ).data


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text=_("A stable code, or Amazon's error code."))
    error_description = serializers.CharField(help_text=_("A human-readable explanation."))
