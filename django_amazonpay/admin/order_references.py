"""The order reference: list, and the page staff work from (amounts, snapshot, payments,
addresses, one timeline, buttons)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import Authorization, Capture, OrderItem, OrderReference, Refund
from ..states import AuthorizationState, CaptureState, RefundState
from . import actions
from .display import format_address, format_money
from .views import ObjectActionsMixin, ReadOnlyMixin

#: every Amazon id, our reference ids, the shop's order number and the buyer's email
ORDER_REFERENCE_SEARCH = (
    "amazon_order_reference_id",
    "seller_order_id",
    "buyer_email",
    "authorizations__amazon_authorization_id",
    "authorizations__authorization_reference_id",
    "captures__amazon_capture_id",
    "captures__capture_reference_id",
    "refunds__amazon_refund_id",
    "refunds__refund_reference_id",
)

_MONEY = DecimalField(max_digits=20, decimal_places=2)


def _sum_of(model: type, states: tuple[str, ...]) -> Coalesce:
    """Per-row total of `model.amount` in `states`, as one subquery (no join, no N+1)."""
    rows = (
        model.objects.filter(order_reference=OuterRef("pk"), state__in=states)
        .order_by()
        .values("order_reference")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=_MONEY), Value(Decimal("0")), output_field=_MONEY)


def change_link(obj: Any, site_name: str = "admin") -> str:
    opts = obj._meta
    url = reverse(
        f"admin:{opts.app_label}_{opts.model_name}_change", args=(obj.pk,), current_app=site_name
    )
    return format_html('<a href="{}">{}</a>', url, obj)


class _ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False


class OrderItemInline(_ReadOnlyInline):
    model = OrderItem
    fields = readonly_fields = (
        "title",
        "sku",
        "variation",
        "unit_price_display",
        "quantity",
        "line_total_display",
    )
    verbose_name_plural = _("order snapshot")

    @admin.display(description=_("unit price"))
    def unit_price_display(self, obj: OrderItem) -> str:
        return format_money(obj.unit_price, obj.currency)

    @admin.display(description=_("line total"))
    def line_total_display(self, obj: OrderItem) -> str:
        return format_money(obj.line_total, obj.currency)


class _PaymentInline(_ReadOnlyInline):
    fk_name = "order_reference"

    @admin.display(description=_("Amazon id"))
    def link(self, obj: Any) -> str:
        return change_link(obj, self.admin_site.name)

    @admin.display(description=_("amount"))
    def amount_display(self, obj: Any) -> str:
        return format_money(obj.amount, obj.currency)


class AuthorizationInline(_PaymentInline):
    model = Authorization
    fields = readonly_fields = (
        "link",
        "state",
        "reason_code",
        "amount_display",
        "captured_display",
        "attempt_state",
        "expiration",
    )

    @admin.display(description=_("captured"))
    def captured_display(self, obj: Authorization) -> str:
        return format_money(obj.captured_amount, obj.currency)


class CaptureInline(_PaymentInline):
    model = Capture
    fields = readonly_fields = (
        "link",
        "authorization",
        "state",
        "reason_code",
        "amount_display",
        "refunded_display",
        "attempt_state",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Capture]:
        return super().get_queryset(request).select_related("authorization")

    @admin.display(description=_("refunded"))
    def refunded_display(self, obj: Capture) -> str:
        return format_money(obj.refunded_amount, obj.currency)


class RefundInline(_PaymentInline):
    model = Refund
    fields = readonly_fields = (
        "link",
        "capture",
        "state",
        "reason_code",
        "amount_display",
        "attempt_state",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Refund]:
        return super().get_queryset(request).select_related("capture")


class OrderReferenceAdmin(ObjectActionsMixin, admin.ModelAdmin):
    list_display = (
        "amazon_order_reference_id",
        "seller_order_id",
        "buyer_email",
        "total_display",
        "captured_display",
        "refunded_display",
        "state",
        "release_environment",
        "created_at",
    )
    list_filter = ("state", "release_environment", "created_at")
    search_fields = ORDER_REFERENCE_SEARCH
    list_select_related = ("user",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "amazon_order_reference_id",
                    "seller_order_id",
                    "store_name",
                    "state",
                    "reason_code",
                    "reason_description",
                    "release_environment",
                    "expiration",
                    "user",
                )
            },
        ),
        (
            _("Amounts"),
            {
                "fields": (
                    "total_display",
                    "items_total_display",
                    "shipping_display",
                    "discount_display",
                    "discount_note",
                    "authorized_display",
                    "captured_display",
                    "refunded_display",
                )
            },
        ),
        (
            _("Buyer"),
            {
                "fields": (
                    "buyer_name",
                    "buyer_email",
                    "destination_display",
                    "billing_display",
                    "personal_data_purged_at",
                )
            },
        ),
        (
            _("Bookkeeping"),
            {
                "fields": (
                    "payment_method_update_required",
                    "amazon_created_at",
                    "amazon_updated_at",
                    "created_at",
                    "updated_at",
                ),
                "classes": ("collapse",),
            },
        ),
    )
    readonly_fields = (
        "total_display",
        "items_total_display",
        "shipping_display",
        "discount_display",
        "authorized_display",
        "captured_display",
        "refunded_display",
        "destination_display",
        "billing_display",
    )
    inlines = (OrderItemInline, AuthorizationInline, CaptureInline, RefundInline)
    object_actions = (
        actions.CAPTURE,
        actions.REFUND,
        actions.CLOSE_ORDER,
        actions.CANCEL_ORDER,
        actions.REFRESH,
    )
    timeline_field = "order_reference"

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderReference]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                authorized_total=_sum_of(
                    Authorization, (AuthorizationState.OPEN, AuthorizationState.CLOSED)
                ),
                captured_total=_sum_of(Capture, (CaptureState.COMPLETED, CaptureState.CLOSED)),
                refunded_total=_sum_of(Refund, (RefundState.PENDING, RefundState.COMPLETED)),
            )
        )

    @admin.display(description=_("order total"), ordering="amount")
    def total_display(self, obj: OrderReference) -> str:
        return format_money(obj.amount, obj.currency)

    @admin.display(description=_("items total"))
    def items_total_display(self, obj: OrderReference) -> str:
        return format_money(obj.items_total, obj.currency)

    @admin.display(description=_("shipping fee"))
    def shipping_display(self, obj: OrderReference) -> str:
        return format_money(obj.shipping_fee, obj.currency)

    @admin.display(description=_("discount"))
    def discount_display(self, obj: OrderReference) -> str:
        return format_money(obj.discount, obj.currency)

    @admin.display(description=_("authorized"))
    def authorized_display(self, obj: OrderReference) -> str:
        return format_money(getattr(obj, "authorized_total", None), obj.currency)

    @admin.display(description=_("captured"), ordering="captured_total")
    def captured_display(self, obj: OrderReference) -> str:
        return format_money(getattr(obj, "captured_total", None), obj.currency)

    @admin.display(description=_("refunded"), ordering="refunded_total")
    def refunded_display(self, obj: OrderReference) -> str:
        return format_money(getattr(obj, "refunded_total", None), obj.currency)

    @admin.display(description=_("shipping address"))
    def destination_display(self, obj: OrderReference) -> str:
        return format_address(obj.destination)

    @admin.display(description=_("billing address"))
    def billing_display(self, obj: OrderReference) -> str:
        return format_address(obj.billing_address)
