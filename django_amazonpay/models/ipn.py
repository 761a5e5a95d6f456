"""The IPN inbox: every delivery, with our verdict and what we did.

A row is written before anything is verified, so every delivery can be read in the admin;
but only a verified one keeps its whole body: a refused one keeps a bounded summary (size,
digest, the first characters), so unauthenticated senders cannot fill the database. A partial
unique constraint on MessageId among valid rows makes SNS's redeliveries (retried for days
without a 200) duplicates, even when two arrive at the same moment. See docs/ipn.md.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class IpnVerdict(models.TextChoices):
    RECEIVED = "received", _("Received, not checked yet")
    VALID = "valid", _("Valid")
    DUPLICATE = "duplicate", _("Duplicate (MessageId already accepted)")
    REJECTED = "rejected", _("Rejected")


class IpnProcessing(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


class IpnMessage(models.Model):
    """One HTTP delivery to the IPN endpoint (spec 6.1-6.3)."""

    received_at = models.DateTimeField(
        _("received"), auto_now_add=True, db_index=True, help_text=_("When it arrived.")
    )
    remote_addr = models.CharField(
        _("remote address"), max_length=64, blank=True, help_text=_("REMOTE_ADDR of the sender.")
    )
    headers = models.JSONField(
        _("headers"),
        default=dict,
        blank=True,
        help_text=_("The x-amz-sns-* headers, Content-Type and User-Agent as received."),
    )
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_(
            "The body as received when the delivery was valid; of a refused one only its "
            "first characters."
        ),
    )
    body_size = models.PositiveIntegerField(
        _("body size"), default=0, help_text=_("Bytes received (or announced, if refused unread).")
    )
    body_sha256 = models.CharField(
        _("body SHA-256"), max_length=64, blank=True, help_text=_("Digest of the body received.")
    )
    message_type = models.CharField(
        _("SNS type"),
        max_length=32,
        blank=True,
        help_text=_("Notification, SubscriptionConfirmation, UnsubscribeConfirmation."),
    )
    message_id = models.CharField(
        _("message id"), max_length=128, blank=True, db_index=True, help_text=_("SNS MessageId.")
    )
    topic_arn = models.CharField(
        _("topic ARN"), max_length=256, blank=True, help_text=_("SNS TopicArn.")
    )
    notification_type = models.CharField(
        _("notification type"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("Message NotificationType (spec 6.4), e.g. PaymentAuthorize."),
    )
    object_id = models.CharField(
        _("object id"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("The Amazon id the notification is about, once parsed."),
    )
    verdict = models.CharField(
        _("verdict"),
        max_length=16,
        choices=IpnVerdict.choices,
        default=IpnVerdict.RECEIVED,
        db_index=True,
        help_text=_("What the endpoint decided about the delivery."),
    )
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why it was rejected (or other remarks).")
    )
    http_status = models.PositiveIntegerField(
        _("HTTP status"), null=True, blank=True, help_text=_("What the endpoint answered.")
    )
    processing = models.CharField(
        _("processing"),
        max_length=16,
        choices=IpnProcessing.choices,
        default=IpnProcessing.PENDING,
        db_index=True,
        help_text=_("Where applying the notification stands."),
    )
    attempts = models.PositiveIntegerField(
        _("attempts"), default=0, help_text=_("How many times processing was tried.")
    )
    processed_at = models.DateTimeField(
        _("processed"), null=True, blank=True, help_text=_("When processing last ended.")
    )
    result = models.TextField(
        _("result"), blank=True, help_text=_("What processing did, or the exception.")
    )
    traceback = models.TextField(
        _("traceback"), blank=True, help_text=_("Traceback of the last processing failure.")
    )
    read_target = models.CharField(
        _("read target"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("What processing read from Amazon because of this notification."),
    )
    read_started_at = models.DateTimeField(
        _("read started"),
        null=True,
        blank=True,
        help_text=_("When that read began: it answers every notification received before."),
    )

    class Meta:
        verbose_name = _("IPN message")
        verbose_name_plural = _("IPN messages")
        ordering = ("-received_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"],
                condition=Q(verdict="valid"),
                name="amazonpay_ipn_valid_message_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification_type or self.message_type or '?'} {self.message_id or self.pk}"
