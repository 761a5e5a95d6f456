"""Authorizations, captures and refunds: lists searchable by every id, pages with buttons."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Authorization, Capture, Refund
from . import actions
from .display import format_money
from .order_references import change_link
from .views import ObjectActionsMixin

_ORDER_SEARCH = (
    "order_reference__amazon_order_reference_id",
    "order_reference__seller_order_id",
    "order_reference__buyer_email",
)
_FILTERS = ("state", "attempt_state", "order_reference__release_environment", "created_at")


class _PaymentAdmin(ObjectActionsMixin, admin.ModelAdmin):
    list_filter = _FILTERS
    date_hierarchy = None

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj: Any) -> str:
        return format_money(obj.amount, obj.currency)

    @admin.display(description=_("order reference"), ordering="order_reference")
    def order_reference_link(self, obj: Any) -> str:
        return change_link(obj.order_reference, self.admin_site.name)


class AuthorizationAdmin(_PaymentAdmin):
    list_display = (
        "__str__",
        "order_reference_link",
        "state",
        "reason_code",
        "amount_display",
        "captured_display",
        "attempt_state",
        "created_at",
    )
    list_select_related = ("order_reference",)
    search_fields = (
        "amazon_authorization_id",
        "authorization_reference_id",
        "captures__amazon_capture_id",
        "captures__capture_reference_id",
        *_ORDER_SEARCH,
    )
    readonly_fields = ("order_reference_link", "amount_display", "captured_display")
    exclude = ("order_reference", "amount", "captured_amount")
    object_actions = (actions.CAPTURE, actions.CLOSE_AUTHORIZATION, actions.REFRESH)
    timeline_field = "authorization"

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("order_reference")

    @admin.display(description=_("captured"))
    def captured_display(self, obj: Authorization) -> str:
        return format_money(obj.captured_amount, obj.currency)


class CaptureAdmin(_PaymentAdmin):
    list_display = (
        "__str__",
        "order_reference_link",
        "authorization",
        "state",
        "reason_code",
        "amount_display",
        "refunded_display",
        "attempt_state",
        "created_at",
    )
    list_select_related = ("order_reference", "authorization")
    search_fields = (
        "amazon_capture_id",
        "capture_reference_id",
        "authorization__amazon_authorization_id",
        "authorization__authorization_reference_id",
        "refunds__amazon_refund_id",
        "refunds__refund_reference_id",
        *_ORDER_SEARCH,
    )
    readonly_fields = (
        "order_reference_link",
        "authorization_link",
        "amount_display",
        "refunded_display",
    )
    exclude = ("order_reference", "authorization", "amount", "refunded_amount")
    object_actions = (actions.REFUND, actions.REFRESH)
    timeline_field = "capture"

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("order_reference", "authorization")

    @admin.display(description=_("refunded"))
    def refunded_display(self, obj: Capture) -> str:
        return format_money(obj.refunded_amount, obj.currency)

    @admin.display(description=_("authorization"))
    def authorization_link(self, obj: Capture) -> str:
        return change_link(obj.authorization, self.admin_site.name)


class RefundAdmin(_PaymentAdmin):
    list_display = (
        "__str__",
        "order_reference_link",
        "capture",
        "state",
        "reason_code",
        "amount_display",
        "attempt_state",
        "created_at",
    )
    list_select_related = ("order_reference", "capture")
    search_fields = (
        "amazon_refund_id",
        "refund_reference_id",
        "capture__amazon_capture_id",
        "capture__capture_reference_id",
        "capture__authorization__amazon_authorization_id",
        *_ORDER_SEARCH,
    )
    readonly_fields = ("order_reference_link", "capture_link", "amount_display")
    exclude = ("order_reference", "capture", "amount")
    object_actions = (actions.REFRESH,)
    timeline_field = "refund"

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("order_reference", "capture")

    @admin.display(description=_("capture"))
    def capture_link(self, obj: Refund) -> str:
        return change_link(obj.capture, self.admin_site.name)
