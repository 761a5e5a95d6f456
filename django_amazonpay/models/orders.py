"""The order reference (Amazon's) and the shop's order snapshot carried beside it."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..states import OrderReferenceState, ReleaseEnvironment
from .fields import amazon_timestamps, bookkeeping, currency, money, reason_fields


class OrderReference(models.Model):
    """Amazon's Order Reference (spec 2.3 OrderReferenceDetails) plus the shop's snapshot.

    Addresses are stored as Amazon's Address structure (snake_case keys of mws.types.Address):
    a Japanese address keeps the prefecture in `state_or_region`, an empty `city` and the
    street in `address_line1`-`3` (spec 2.3, seed 000).
    """

    amazon_order_reference_id = models.CharField(
        _("Amazon order reference id"),
        max_length=64,
        unique=True,
        help_text=_("AmazonOrderReferenceId, e.g. S03-1571525-4435073."),
    )
    seller_order_id = models.CharField(
        _("seller order id"),
        max_length=128,
        blank=True,
        db_index=True,
        help_text=_("The shop's order number, sent as SellerOrderId."),
    )
    store_name = models.CharField(
        _("store name"), max_length=255, blank=True, help_text=_("StoreName sent to Amazon.")
    )
    amount = money(_("OrderTotal: items + shipping fee - discount."))
    currency = currency()
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=OrderReferenceState.choices,
        default=OrderReferenceState.DRAFT,
        db_index=True,
        help_text=_("Amazon's OrderReferenceStatus/State as last observed."),
    )
    reason_code, reason_description = reason_fields()
    buyer_name = models.CharField(
        _("buyer name"), max_length=255, blank=True, help_text=_("Buyer/Name (personal data).")
    )
    buyer_email = models.CharField(
        _("buyer email"),
        max_length=254,
        blank=True,
        db_index=True,
        help_text=_("Buyer/Email (personal data)."),
    )
    destination = models.JSONField(
        _("shipping address"),
        default=dict,
        blank=True,
        help_text=_("Destination/PhysicalDestination as Amazon's Address fields (personal data)."),
    )
    billing_address = models.JSONField(
        _("billing address"),
        default=dict,
        blank=True,
        help_text=_("BillingAddress/PhysicalAddress, where Amazon sends it (personal data)."),
    )
    expiration = models.DateTimeField(
        _("expires"),
        null=True,
        blank=True,
        help_text=_("Amazon's ExpirationTimestamp (creation + 180 days, spec 3.6)."),
    )
    release_environment = models.CharField(
        _("release environment"),
        max_length=8,
        choices=ReleaseEnvironment.choices,
        blank=True,
        db_index=True,
        help_text=_("Sandbox or Live, as Amazon reports it."),
    )
    amazon_created_at, amazon_updated_at = amazon_timestamps()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="amazon_order_references",
        help_text=_("The shop's user who checked out, if signed in."),
    )
    shipping_fee = money(_("The shop's shipping fee, part of the order total."))
    discount = money(_("The shop's order-level discount, subtracted from the total."))
    discount_note = models.CharField(
        _("discount note"),
        max_length=255,
        blank=True,
        help_text=_("What the discount is, e.g. a coupon name."),
    )
    payment_method_update_required = models.BooleanField(
        _("payment method update required"),
        default=False,
        help_text=_(
            "An authorization was soft-declined (InvalidPaymentMethod): re-authorize when "
            "Amazon reports the order reference Open again (spec 3.10)."
        ),
    )
    personal_data_purged_at = models.DateTimeField(
        _("personal data purged"),
        null=True,
        blank=True,
        help_text=_("When buyer name, email and addresses were blanked."),
    )
    created_at, updated_at = bookkeeping()

    class Meta:
        verbose_name = _("order reference")
        verbose_name_plural = _("order references")
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["state", "created_at"], name="amazonpay_oro_state_created")]
        # one per money button of the admin (django_amazonpay.admin.permissions)
        permissions = (
            ("capture_payment", _("Can capture payments")),
            ("refund_payment", _("Can refund payments")),
            ("close_orderreference", _("Can close order references")),
            ("cancel_orderreference", _("Can cancel order references")),
            ("close_authorization", _("Can close authorizations")),
            ("refresh_from_amazon", _("Can refresh objects from Amazon")),
        )

    def __str__(self) -> str:
        return self.amazon_order_reference_id

    @property
    def items_total(self) -> Decimal:
        return sum((item.line_total for item in self.items.all()), Decimal("0"))


class OrderItem(models.Model):
    """One line of the shop's order snapshot (seed 003 order_items; seed 002 OrderItem)."""

    order_reference = models.ForeignKey(
        OrderReference,
        on_delete=models.CASCADE,
        related_name="items",
        help_text=_("The order reference this line belongs to."),
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Order of the line in the shop's order.")
    )
    title = models.CharField(_("title"), max_length=255, help_text=_("Product title."))
    sku = models.CharField(
        _("SKU"), max_length=128, blank=True, help_text=_("The shop's SKU (SellerSKU).")
    )
    variation = models.CharField(
        _("variation"), max_length=255, blank=True, help_text=_("Variation, e.g. size M.")
    )
    unit_price = money(_("Price of one unit."))
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, help_text=_("Units ordered (QuantityOrdered).")
    )
    line_total = money(_("unit price x quantity (ItemPrice)."))
    currency = currency()

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ("order_reference", "position", "id")

    def __str__(self) -> str:
        return f"{self.title} x {self.quantity}"
