"""Field factories shared by the models: money, currency, Amazon's status."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_DIGITS = 14
DECIMAL_PLACES = 2  # JPY amounts are whole numbers; Amazon prints them with .00 (spec 1.5)


def money(help_text: str, **kwargs: Any) -> models.DecimalField:
    """A Decimal amount; its currency lives in the row's `currency` field (STYLE 5)."""
    return models.DecimalField(
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        default=Decimal("0"),
        help_text=help_text,
        **kwargs,
    )


def currency() -> models.CharField:
    return models.CharField(
        _("currency"), max_length=3, help_text=_("ISO 4217 code of every amount on this row.")
    )


def reason_fields() -> tuple[models.CharField, models.TextField]:
    return (
        models.CharField(
            _("reason code"),
            max_length=64,
            blank=True,
            help_text=_("Amazon's ReasonCode for the current state, empty when none."),
        ),
        models.TextField(
            _("reason description"),
            blank=True,
            help_text=_("Amazon's ReasonDescription (e.g. the closure reason sent)."),
        ),
    )


def amazon_timestamps() -> tuple[models.DateTimeField, models.DateTimeField]:
    return (
        models.DateTimeField(
            _("Amazon created at"),
            null=True,
            blank=True,
            help_text=_("Amazon's CreationTimestamp."),
        ),
        models.DateTimeField(
            _("Amazon updated at"),
            null=True,
            blank=True,
            help_text=_(
                "Amazon's LastUpdateTimestamp of the stored state; older details are ignored."
            ),
        ),
    )


def bookkeeping() -> tuple[models.DateTimeField, models.DateTimeField]:
    return (
        models.DateTimeField(
            _("created"), auto_now_add=True, db_index=True, help_text=_("When we created the row.")
        ),
        models.DateTimeField(_("updated"), auto_now=True, help_text=_("When we last saved it.")),
    )
