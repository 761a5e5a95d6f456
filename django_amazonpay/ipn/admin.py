"""Admin for the IPN inbox: read every delivery, reprocess valid ones (STYLE 11).

A refused delivery shows its summary only (size, digest, first characters), never a whole body.

Registered when this module is imported: the app's admin module imports it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..admin.selection import SafeSelectionMixin
from ..models.ipn import IpnMessage, IpnVerdict
from .inbox import reprocess


@admin.register(IpnMessage)
class IpnMessageAdmin(SafeSelectionMixin, admin.ModelAdmin):
    list_display = (
        "received_at", "notification_type", "object_id", "verdict", "processing",
        "http_status", "attempts", "message_id",
    )  # fmt: skip
    list_filter = ("verdict", "processing", "notification_type", "message_type")
    search_fields = ("message_id", "object_id", "topic_arn", "reason", "result")
    date_hierarchy = "received_at"
    ordering = ("-received_at", "-id")
    actions = ("reprocess_messages",)
    fieldsets = (
        (None, {"fields": ("received_at", "remote_addr", "message_type", "message_id",
                           "topic_arn", "notification_type", "object_id")}),
        (_("Verdict"), {"fields": ("verdict", "reason", "http_status")}),
        (_("Processing"), {"fields": ("processing", "attempts", "processed_at", "result",
                                      "read_target", "read_started_at", "traceback")}),
        (_("As received"), {"fields": ("headers", "body_size", "body_sha256", "body")}),
    )  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # a delivery is evidence: nothing of it is editable
        return [f.name for f in IpnMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Reprocess selected IPN messages"), permissions=["change"])
    def reprocess_messages(self, request: HttpRequest, queryset: QuerySet[IpnMessage]) -> None:
        valid = list(queryset.filter(verdict=IpnVerdict.VALID).values_list("pk", flat=True))
        refused = queryset.count() - len(valid)
        results = reprocess(valid)
        failed = [pk for pk, result in results.items() if "Error" in result]
        done = len(valid) - len(failed)
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d IPN message reprocessed.",
                    "%(count)d IPN messages reprocessed.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )
        if failed or refused:
            count = len(failed) + refused
            self.message_user(
                request,
                ngettext(
                    "%(count)d IPN message not applied (rejected, duplicate or failed).",
                    "%(count)d IPN messages not applied (rejected, duplicates or failed).",
                    count,
                )
                % {"count": count},
                messages.WARNING,
            )
