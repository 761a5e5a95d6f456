"""What happened, read-only: every observed state change and every MWS call."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .order_references import change_link
from .views import ReadOnlyMixin


class StateTransitionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "observed_at",
        "object_kind",
        "object_id",
        "order_reference_link",
        "transition",
        "reason_code",
        "source",
        "allowed",
        "amazon_timestamp",
        "request_id",
    )
    list_filter = (
        "object_kind",
        "to_state",
        "source",
        "allowed",
        "order_reference__release_environment",
        "observed_at",
    )
    list_select_related = ("order_reference",)
    search_fields = (
        "object_id",
        "request_id",
        "order_reference__amazon_order_reference_id",
        "order_reference__seller_order_id",
        "order_reference__buyer_email",
        "authorization__authorization_reference_id",
        "capture__capture_reference_id",
        "refund__refund_reference_id",
    )
    fields = (
        "object_kind",
        "object_id",
        "order_reference_link",
        "from_state",
        "to_state",
        "reason_code",
        "reason_description",
        "source",
        "allowed",
        "observed_at",
        "amazon_timestamp",
        "request_id",
    )
    readonly_fields = ("order_reference_link",)

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("order_reference")

    @admin.display(description=_("order reference"), ordering="order_reference")
    def order_reference_link(self, obj: Any) -> str:
        return change_link(obj.order_reference, self.admin_site.name)

    @admin.display(description=_("transition"))
    def transition(self, obj: Any) -> str:
        return f"{obj.from_state or '–'} → {obj.to_state}"


class MwsCallAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "operation",
        "object_id",
        "outcome",
        "error_code",
        "http_status",
        "duration",
        "attempts",
        "request_id",
    )
    list_filter = ("operation", "outcome", "error_code", "created_at")
    search_fields = ("object_id", "request_id", "operation", "error_code")
