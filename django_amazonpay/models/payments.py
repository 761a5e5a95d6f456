"""Authorizations, captures and refunds: one row per attempt, written before the call.

A row is created with its reference id and attempt state "requesting" and committed before
Amazon is called; Amazon's id and state are filled in from the answer (STYLE 6, spec 3.9).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..states import AttemptState, AuthorizationState, CaptureState, RefundState
from .fields import amazon_timestamps, bookkeeping, currency, money, reason_fields
from .orders import OrderReference


class _Transaction(models.Model):
    """Fields every money transaction shares."""

    order_reference = models.ForeignKey(
        OrderReference,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        help_text=_("The order reference this belongs to."),
    )
    attempt = models.PositiveIntegerField(
        _("attempt"),
        default=1,
        help_text=_("Attempt number n within its parent; part of the reference id."),
    )
    attempt_state = models.CharField(
        _("attempt state"),
        max_length=16,
        choices=AttemptState.choices,
        default=AttemptState.REQUESTING,
        db_index=True,
        help_text=_(
            "Our call: requesting (sent or about to be), in doubt (no answer), done, "
            "failed (Amazon refused, nothing created)."
        ),
    )
    error_code = models.CharField(
        _("error code"),
        max_length=64,
        blank=True,
        help_text=_("Amazon's error code when the attempt failed."),
    )
    currency = currency()
    seller_note = models.CharField(
        _("seller note"),
        max_length=255,
        blank=True,
        help_text=_("The note sent with the request (resent unchanged on a retry)."),
    )
    soft_descriptor = models.CharField(
        _("soft descriptor"),
        max_length=32,
        blank=True,
        help_text=_("Text on the buyer's statement (AMZ*...)."),
    )
    reason_code, reason_description = reason_fields()
    amazon_created_at, amazon_updated_at = amazon_timestamps()
    created_at, updated_at = bookkeeping()

    class Meta:
        abstract = True
        ordering = ("created_at", "id")

    @property
    def in_flight(self) -> bool:
        return self.attempt_state in (AttemptState.REQUESTING, AttemptState.IN_DOUBT)


class Authorization(_Transaction):
    """Amazon's Authorization (spec 2.3 AuthorizationDetails, 3.3)."""

    amazon_authorization_id = models.CharField(
        _("Amazon authorization id"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("AmazonAuthorizationId; empty until Amazon has answered."),
    )
    authorization_reference_id = models.CharField(
        _("authorization reference id"),
        max_length=32,
        unique=True,
        help_text=_("Our AuthorizationReferenceId: the idempotency key (spec 3.9)."),
    )
    amount = money(_("AuthorizationAmount."))
    captured_amount = money(_("CapturedAmount."))
    fee = money(_("AuthorizationFee."))
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=AuthorizationState.choices,
        blank=True,
        db_index=True,
        help_text=_("AuthorizationStatus/State; empty until Amazon has answered."),
    )
    soft_decline = models.BooleanField(
        _("soft decline"),
        null=True,
        blank=True,
        help_text=_("SoftDecline: with InvalidPaymentMethod, true means a retry may succeed."),
    )
    capture_now = models.BooleanField(
        _("capture now"), default=False, help_text=_("CaptureNow was requested.")
    )
    transaction_timeout = models.PositiveIntegerField(
        _("transaction timeout"),
        default=0,
        help_text=_("TransactionTimeout in minutes; 0 = synchronous (spec 3.8)."),
    )
    expiration = models.DateTimeField(
        _("expires"),
        null=True,
        blank=True,
        help_text=_("Amazon's ExpirationTimestamp (creation + 30 days, spec 3.6)."),
    )
    expiry_warned_at = models.DateTimeField(
        _("expiry warned at"),
        null=True,
        blank=True,
        help_text=_("When authorization_expiring was sent for it (once, by the tasks)."),
    )

    class Meta(_Transaction.Meta):
        verbose_name = _("authorization")
        verbose_name_plural = _("authorizations")
        constraints = [
            models.UniqueConstraint(
                fields=["order_reference", "attempt"], name="amazonpay_auth_attempt_unique"
            )
        ]

    def __str__(self) -> str:
        return self.amazon_authorization_id or self.authorization_reference_id


class Capture(_Transaction):
    """Amazon's Capture (spec 2.3 CaptureDetails, 3.4)."""

    authorization = models.ForeignKey(
        Authorization,
        on_delete=models.PROTECT,
        related_name="captures",
        help_text=_("The authorization captured."),
    )
    amazon_capture_id = models.CharField(
        _("Amazon capture id"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("AmazonCaptureId; empty until Amazon has answered."),
    )
    capture_reference_id = models.CharField(
        _("capture reference id"),
        max_length=32,
        unique=True,
        help_text=_("Our CaptureReferenceId: the idempotency key (spec 3.9)."),
    )
    amount = money(_("CaptureAmount."))
    fee = money(_("CaptureFee."))
    refunded_amount = money(_("RefundedAmount."))
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=CaptureState.choices,
        blank=True,
        db_index=True,
        help_text=_("CaptureStatus/State; empty until Amazon has answered."),
    )

    class Meta(_Transaction.Meta):
        verbose_name = _("capture")
        verbose_name_plural = _("captures")
        constraints = [
            models.UniqueConstraint(
                fields=["authorization", "attempt"], name="amazonpay_capture_attempt_unique"
            )
        ]

    def __str__(self) -> str:
        return self.amazon_capture_id or self.capture_reference_id


class Refund(_Transaction):
    """Amazon's Refund (spec 2.3 RefundDetails, 3.5)."""

    capture = models.ForeignKey(
        Capture,
        on_delete=models.PROTECT,
        related_name="refunds",
        help_text=_("The capture refunded."),
    )
    amazon_refund_id = models.CharField(
        _("Amazon refund id"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("AmazonRefundId; empty until Amazon has answered."),
    )
    refund_reference_id = models.CharField(
        _("refund reference id"),
        max_length=32,
        unique=True,
        help_text=_("Our RefundReferenceId: the idempotency key (spec 3.9)."),
    )
    amount = money(_("RefundAmount."))
    fee = money(_("FeeRefunded."))
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=RefundState.choices,
        blank=True,
        db_index=True,
        help_text=_("RefundStatus/State; empty until Amazon has answered."),
    )
    refund_type = models.CharField(
        _("refund type"),
        max_length=32,
        blank=True,
        help_text=_("RefundType: SellerInitiated or Chargeback."),
    )
    items = models.JSONField(
        _("refunded items"),
        default=list,
        blank=True,
        help_text=_("Order items this refund is for: [{order_item, quantity, amount}]."),
    )

    class Meta(_Transaction.Meta):
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.UniqueConstraint(
                fields=["capture", "attempt"], name="amazonpay_refund_attempt_unique"
            )
        ]

    def __str__(self) -> str:
        return self.amazon_refund_id or self.refund_reference_id
