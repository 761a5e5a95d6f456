from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from django_amazonpay.admin.selection import SafeSelectionMixin

from . import payment
from .models import Order, OrderLine, Product


@admin.register(Product)
class ProductAdmin(SafeSelectionMixin, admin.ModelAdmin):
    list_display = ("sku", "name_en", "name_ja", "price", "is_active")
    list_editable = ("is_active",)
    search_fields = ("sku", "name_en", "name_ja")


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    readonly_fields = ("product", "title", "unit_price", "quantity")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False  # the lines are what the buyer agreed to pay for


@admin.register(Order)
class OrderAdmin(SafeSelectionMixin, admin.ModelAdmin):
    list_display = (
        "number",
        "status",
        "prefecture",
        "subtotal",
        "shipping_fee",
        "amazon_order_reference_id",
        "created_at",
    )
    list_filter = ("status",)
    search_fields = ("number", "amazon_order_reference_id")
    # the status follows Amazon's answer (payment.settle); the checkout is the buyer's
    readonly_fields = (
        "status", "amazon_order_reference_id", "prefecture", "subtotal", "shipping_fee",
        "session_key", "created_at",
    )  # fmt: skip
    inlines = [OrderLineInline]
    actions = ("check_payment",)

    @admin.action(description=_("Check the Amazon Pay payment again"))
    def check_payment(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        changed = 0
        for pk, before in queryset.values_list("pk", "status"):
            order, _payment = payment.settle(pk)
            changed += order.status != before
        self.message_user(
            request,
            ngettext(
                "%(count)d order changed its status.", "%(count)d orders changed their status.",
                changed,
            ) % {"count": changed},
            messages.SUCCESS,
        )  # fmt: skip
