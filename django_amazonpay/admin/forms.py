"""The confirmation forms behind the admin's buttons.

They check what staff can get wrong before anything is sent (zero, negative, over-precise or
over-limit amounts); the services check again under the row lock and Amazon has the last word.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ..amounts import CURRENCY_EXPONENTS, decimal_places
from ..models import Authorization, Capture, OrderItem
from .display import format_money

ITEM_PREFIX = "item_"


class ConfirmForm(forms.Form):
    """No fields: the page only asks "are you sure?"."""


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=255,
        help_text=_("Sent to Amazon as the closure or cancelation reason (optional)."),
    )


def check_amount(value: Decimal, currency: str) -> None:
    """Raise ValidationError for a zero, negative or over-precise amount in `currency`."""
    if value <= 0:
        raise forms.ValidationError(_("Enter an amount greater than zero."), code="min")
    exponent = CURRENCY_EXPONENTS.get(currency, 2)
    if decimal_places(value) > exponent:
        message = (
            _("%(currency)s amounts have no decimals.")
            if exponent == 0
            else _("%(currency)s amounts have at most %(places)d digits after the decimal point.")
        )
        raise forms.ValidationError(
            message, code="precision", params={"currency": currency, "places": exponent}
        )


class _TransactionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({format_money(obj.amount, obj.currency)})"


class CaptureForm(forms.Form):
    authorization = _TransactionChoiceField(
        label=_("Authorization"), queryset=Authorization.objects.none(), empty_label=None
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=20,
        help_text=_("Prefilled with what is authorized and not yet captured; less is allowed."),
    )
    seller_note = forms.CharField(label=_("Seller capture note"), required=False, max_length=255)

    def __init__(self, *args: Any, authorizations: QuerySet[Authorization], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["authorization"]
        field.queryset = authorizations
        first = next(iter(authorizations), None)
        if first is not None and not self.is_bound:
            self.initial.setdefault("authorization", first.pk)
            self.initial.setdefault("amount", remaining(first))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        auth, amount = data.get("authorization"), data.get("amount")
        if auth is None or amount is None:
            return data
        try:
            check_amount(amount, auth.currency)
        except forms.ValidationError as err:
            self.add_error("amount", err)
            return data
        available = remaining(auth)
        if amount > available:
            self.add_error(
                "amount",
                forms.ValidationError(
                    _("At most %(available)s can be captured on this authorization."),
                    code="over_limit",
                    params={"available": format_money(available, auth.currency)},
                ),
            )
        return data


def remaining(auth: Authorization) -> Decimal:
    """What `auth` still allows to capture, in its currency's precision (6500, not 6500.00)."""
    left = max(auth.amount - auth.captured_amount, Decimal("0"))
    return left.quantize(Decimal(1).scaleb(-CURRENCY_EXPONENTS.get(auth.currency, 2)))


class RefundForm(forms.Form):
    capture = _TransactionChoiceField(
        label=_("Capture"), queryset=Capture.objects.none(), empty_label=None
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=20,
        required=False,
        help_text=_("Refund this amount, or leave it empty and choose items below."),
    )
    seller_note = forms.CharField(label=_("Seller refund note"), required=False, max_length=255)

    def __init__(
        self,
        *args: Any,
        captures: QuerySet[Capture],
        items: Iterable[OrderItem],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["capture"].queryset = captures
        first = next(iter(captures), None)
        if first is not None and not self.is_bound:
            self.initial.setdefault("capture", first.pk)
        self.items = {item.pk: item for item in items}
        for item in self.items.values():
            self.fields[f"{ITEM_PREFIX}{item.pk}"] = forms.IntegerField(
                label=_item_label(item),
                required=False,
                min_value=0,
                max_value=item.quantity,
                initial=0,
            )

    def item_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(ITEM_PREFIX)]

    def chosen_items(self) -> list[tuple[OrderItem, int]]:
        """(item, quantity) for every item line with a quantity above zero."""
        chosen = []
        for pk, item in self.items.items():
            quantity = self.cleaned_data.get(f"{ITEM_PREFIX}{pk}") or 0
            if quantity > 0:
                chosen.append((item, quantity))
        return chosen

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        cap, amount = data.get("capture"), data.get("amount")
        if cap is None or self.errors:
            return data
        chosen = self.chosen_items()
        if amount is not None and chosen:
            raise forms.ValidationError(
                _("Enter an amount or choose items, not both."), code="both"
            )
        if amount is None and not chosen:
            raise forms.ValidationError(
                _("Enter an amount or choose at least one item."), code="neither"
            )
        if amount is not None:
            try:
                check_amount(amount, cap.currency)
            except forms.ValidationError as err:
                self.add_error("amount", err)
        return data


def _item_label(item: OrderItem) -> str:
    parts = [item.title]
    if item.variation:
        parts.append(f"({item.variation})")
    parts.append(f"x {item.quantity} @ {format_money(item.unit_price, item.currency)}")
    return " ".join(parts)
