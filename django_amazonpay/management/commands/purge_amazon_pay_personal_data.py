"""Blank buyer personal data of old order references (amounts, states and history stay), and
delete the storefront API's expired idempotency keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Q
from django.utils import timezone

from django_amazonpay.api.idempotency import KEY_TTL, purge_expired_keys
from django_amazonpay.conf import get_settings
from django_amazonpay.models import IdempotencyKey, OrderReference


class Command(BaseCommand):
    help = (
        "Blank buyer name, email and addresses of Amazon Pay order references created more "
        "than N days ago (default: AMAZON_PAY['PERSONAL_DATA_RETENTION_DAYS']), and delete "
        "the storefront API's expired idempotency keys."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Age in days (>= 0).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be purged; change nothing."
        )

    def handle(self, *args: Any, days: int | None = None, dry_run: bool = False, **kw: Any) -> None:
        days = get_settings().personal_data_retention_days if days is None else days
        if days < 0:
            self.stderr.write("--days must be 0 or more")
            raise SystemExit(2)
        cutoff = timezone.now() - timedelta(days=days)
        has_data = (
            ~Q(buyer_name="") | ~Q(buyer_email="") | ~Q(destination={}) | ~Q(billing_address={})
        )
        queryset = OrderReference.objects.filter(created_at__lt=cutoff).filter(has_data)
        count = queryset.count()
        if dry_run:
            self.stdout.write(f"{count} order reference(s) would be purged (> {days} days old)")
            keys = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - KEY_TTL)
            self.stdout.write(f"{keys.count()} idempotency key(s) would be deleted (expired)")
            return
        # the API's stored answers hold no personal data, but expired ones have no use left
        self.stdout.write(f"{purge_expired_keys()} idempotency key(s) deleted (expired)")
        purged = queryset.update(
            buyer_name="",
            buyer_email="",
            destination={},
            billing_address={},
            personal_data_purged_at=timezone.now(),
        )
        self.stdout.write(f"{purged} order reference(s) purged (older than {days} days)")
