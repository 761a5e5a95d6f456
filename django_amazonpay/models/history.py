"""What happened: every observed state change, and every MWS call made."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..states import ObjectKind, TransitionSource
from .orders import OrderReference
from .payments import Authorization, Capture, Refund


class StateTransition(models.Model):
    """One observed change of state or reason of one of the four objects (STYLE 6).

    `order_reference` is always set so the order reference's page shows one timeline of all
    its objects; exactly one of authorization/capture/refund is set for those kinds.
    """

    object_kind = models.CharField(
        _("object kind"),
        max_length=16,
        choices=ObjectKind.choices,
        db_index=True,
        help_text=_("Which kind of Amazon object changed."),
    )
    object_id = models.CharField(
        _("object id"),
        max_length=64,
        db_index=True,
        help_text=_("Amazon's id of the object (or our reference id before Amazon's is known)."),
    )
    order_reference = models.ForeignKey(
        OrderReference,
        on_delete=models.CASCADE,
        related_name="transitions",
        help_text=_("The order reference the object belongs to."),
    )
    authorization = models.ForeignKey(
        Authorization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="transitions",
        help_text=_("The authorization, for authorization transitions."),
    )
    capture = models.ForeignKey(
        Capture,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="transitions",
        help_text=_("The capture, for capture transitions."),
    )
    refund = models.ForeignKey(
        Refund,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="transitions",
        help_text=_("The refund, for refund transitions."),
    )
    from_state = models.CharField(
        _("from state"),
        max_length=16,
        blank=True,
        help_text=_("State before; empty for the first observation."),
    )
    to_state = models.CharField(_("to state"), max_length=16, help_text=_("State observed."))
    reason_code = models.CharField(
        _("reason code"), max_length=64, blank=True, help_text=_("ReasonCode observed.")
    )
    reason_description = models.TextField(
        _("reason description"), blank=True, help_text=_("ReasonDescription observed.")
    )
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=TransitionSource.choices,
        db_index=True,
        help_text=_("How we learned it: our call's response, a poll, an IPN, admin, API..."),
    )
    allowed = models.BooleanField(
        _("expected"),
        default=True,
        help_text=_("False when the state machine does not list this transition (an anomaly)."),
    )
    observed_at = models.DateTimeField(
        _("observed at"),
        default=timezone.now,
        db_index=True,
        help_text=_("When we learned of it."),
    )
    amazon_timestamp = models.DateTimeField(
        _("Amazon timestamp"),
        null=True,
        blank=True,
        help_text=_("Amazon's LastUpdateTimestamp of the observed state."),
    )
    request_id = models.CharField(
        _("request id"),
        max_length=64,
        blank=True,
        help_text=_("MWS RequestId of the response (or IPN message id) that carried it."),
    )

    class Meta:
        verbose_name = _("state transition")
        verbose_name_plural = _("state transitions")
        ordering = ("observed_at", "id")
        indexes = [
            models.Index(fields=["order_reference", "observed_at"], name="amazonpay_transition_oro")
        ]

    def __str__(self) -> str:
        return f"{self.object_id}: {self.from_state or '-'} -> {self.to_state}"


class MwsCall(models.Model):
    """One MWS operation as the client saw it: no parameters, no secrets, no personal data."""

    operation = models.CharField(
        _("operation"), max_length=64, db_index=True, help_text=_("MWS Action, e.g. Authorize.")
    )
    object_id = models.CharField(
        _("object id"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("The Amazon id (or reference id) the call was about."),
    )
    duration = models.FloatField(
        _("duration"), default=0.0, help_text=_("Seconds, all attempts included.")
    )
    attempts = models.PositiveIntegerField(
        _("attempts"), default=1, help_text=_("HTTP requests sent (retries included).")
    )
    http_status = models.PositiveIntegerField(
        _("HTTP status"), null=True, blank=True, help_text=_("Status of the last answer.")
    )
    outcome = models.CharField(
        _("outcome"),
        max_length=32,
        db_index=True,
        help_text=_("ok, error, transport_error, malformed..."),
    )
    error_code = models.CharField(
        _("error code"), max_length=64, blank=True, help_text=_("Amazon's error code, if any.")
    )
    request_id = models.CharField(
        _("request id"), max_length=64, blank=True, help_text=_("MWS RequestId.")
    )
    created_at = models.DateTimeField(
        _("created"), auto_now_add=True, db_index=True, help_text=_("When the call ended.")
    )

    class Meta:
        verbose_name = _("MWS call")
        verbose_name_plural = _("MWS calls")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.operation} {self.object_id} {self.outcome}"
