"""Input validation and the JSON the API answers with (amounts as strings, STYLE 5)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..amounts import CURRENCY_EXPONENTS
from ..conf import get_settings
from ..models import Authorization, Capture, OrderReference
from .steps import NEXT_ACTIONS, UNREAD, latest_authorization, next_action, wallet_mode

#: S (sandbox) or P (production), then ddd-ddddddd-ddddddd (docs/api.md, Input)
ORDER_REFERENCE_ID = RegexValidator(
    r"^[SP][0-9]{2}-[0-9]{7}-[0-9]{7}\Z",
    _("Not an Amazon order reference id (e.g. S03-1234567-1234567)."),
)
#: a Login with Amazon access token as Amazon hands it out (docs/api.md, Input): checked
#: here so that nothing else reaches Amazon; the value never appears in a message
ACCESS_TOKEN = RegexValidator(r"^Atza\|[A-Za-z0-9._~+/=|-]{1,2043}\Z", code="invalid_token")
ORDER_ID = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.:/#-]*\Z", _("Use letters, digits and _ . : / # - only.")
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


class OrderReferenceIdField(serializers.CharField):
    """An order reference id; the schema's pattern names the shop's environment's prefix
    (schema.OrderReferenceIdScheme)."""


class StartCheckoutSerializer(serializers.Serializer):
    amazon_order_reference_id = OrderReferenceIdField(
        max_length=64,
        validators=[ORDER_REFERENCE_ID],
        help_text=_("The id the Amazon Pay widgets gave the storefront."),
    )
    access_token = serializers.CharField(
        max_length=2048,
        validators=[ACCESS_TOKEN],
        help_text=_("The buyer's Login with Amazon access token (to read the full address)."),
    )

    def validate_amazon_order_reference_id(self, value: str) -> str:
        live = value.startswith("P")
        if live == get_settings().sandbox:
            # no retry can fix it: Amazon answers a 500 for an id of the other environment
            raise serializers.ValidationError(
                _("This is a production order reference id (P...), but the shop uses Amazon "
                  "Pay's sandbox: use the sandbox button, or set AMAZON_PAY['SANDBOX'] = False.")
                if live
                else _("This is a sandbox order reference id (S...), but the shop takes live "
                       "payments: use the live Amazon Pay button."),
                code="wrong_environment",
            )  # fmt: skip
        return value


class SetOrderSerializer(serializers.Serializer):
    order_id = serializers.CharField(
        max_length=128,
        validators=[ORDER_ID],
        help_text=_(
            "The shop's order id; amount and items come from ORDER_RESOLVER, never from here."
        ),
    )


#: control characters (tab and newlines aside) have no place in a note sent to Amazon
PRINTABLE = RegexValidator(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]",
    _("Control characters are not allowed."),
    inverse_match=True,
)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        validators=[PRINTABLE],
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


#: the fields of a checkout answer that hold the buyer's personal data
PERSONAL_FIELDS = ("destination", "buyer")


def personal_data(oro: OrderReference | None) -> dict[str, Any]:
    """PERSONAL_FIELDS of a checkout answer for `oro` as now stored (none: blanks)."""
    if oro is None:
        return {"destination": {}, "buyer": {"name": "", "email": ""}}
    return {
        "destination": oro.destination or {},
        "buyer": {"name": oro.buyer_name, "email": oro.buyer_email},
    }


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
        **personal_data(oro),
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
