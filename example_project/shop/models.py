"""Products and the shop's own orders (Amazon's side lives in django_amazonpay)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=32, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    price = models.DecimalField(_("price (JPY)"), max_digits=10, decimal_places=0)
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ("pk",)

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ja if (get_language() or "").startswith("ja") else self.name_en

    @property
    def description(self) -> str:
        if (get_language() or "").startswith("ja"):
            return self.description_ja
        return self.description_en


class Order(models.Model):
    class Status(models.TextChoices):
        """Set by shop.payment.settle from Amazon's answer, never by the buyer's pages."""

        NEW = "new", _("New")
        #: paid: Amazon holds or took the order's whole total, ship it
        CONFIRMED = "confirmed", _("Confirmed")
        #: was confirmed, but the payment no longer covers it (authorization closed or
        #: expired, order changed): staff look before shipping
        ON_HOLD = "on_hold", _("On hold")
        CANCELED = "canceled", _("Canceled")

    number = models.CharField(_("order number"), max_length=32, unique=True)
    session_key = models.CharField(_("session"), max_length=40, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    amazon_order_reference_id = models.CharField(
        _("Amazon order reference id"), max_length=64, blank=True
    )
    prefecture = models.CharField(_("prefecture"), max_length=32, blank=True)
    subtotal = models.DecimalField(_("subtotal"), max_digits=10, decimal_places=0, default=0)
    shipping_fee = models.DecimalField(
        _("shipping fee"), max_digits=10, decimal_places=0, default=0
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.shipping_fee


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT)
    title = models.CharField(_("title"), max_length=100)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=0)
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.title} x {self.quantity}"

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity
