"""Idempotency keys of the REST API: the first answer to a mutating request, kept for replays."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` header value of one caller, with the answer given to it.

    A row without `response_status` is a request still being processed: a concurrent retry
    with the same key is refused (409) instead of running twice.
    """

    owner = models.CharField(
        _("owner"),
        max_length=80,
        help_text=_("Who sent the key: 'user:<pk>' or 'session:<session key>'."),
    )
    key = models.CharField(
        _("key"), max_length=255, help_text=_("The Idempotency-Key header, as sent.")
    )
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=64,
        help_text=_(
            "SHA-256 of method, path and body: the same key for another request is refused."
        ),
    )
    response_status = models.PositiveSmallIntegerField(
        _("response status"),
        null=True,
        blank=True,
        help_text=_("HTTP status of the first answer; empty while it is being processed."),
    )
    response_body = models.JSONField(
        _("response body"), null=True, blank=True, help_text=_("The first answer's JSON body.")
    )
    created_at = models.DateTimeField(
        _("created"), auto_now_add=True, db_index=True, help_text=_("When the key was first seen.")
    )

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="amazonpay_idempotency_owner_key")
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"
