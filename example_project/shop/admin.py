from django.contrib import admin

from .models import Order, OrderLine, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name_en", "name_ja", "price", "is_active")
    list_editable = ("is_active",)
    search_fields = ("sku", "name_en", "name_ja")


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    readonly_fields = ("product", "title", "unit_price", "quantity")
    can_delete = False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
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
    readonly_fields = ("session_key", "created_at")
    inlines = [OrderLineInline]
