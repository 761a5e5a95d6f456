"""`manage.py amazon_pay_purge_ipn`: delete IPN inbox rows past their retention."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ...ipn.retention import purge_inbox, purgeable
from ...models.ipn import IpnMessage


class Command(BaseCommand):
    help = (
        "Delete processed and ignored IPN messages older than IPN_RETENTION_DAYS, and "
        "refused and duplicate deliveries older than IPN_REJECTED_RETENTION_DAYS. Pending "
        "and failed notifications are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="rows of each kind at most")
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted, delete nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            followed, refused = purgeable()
            self.stdout.write(
                f"would delete {IpnMessage.objects.filter(followed).count()} processed or "
                f"ignored and {IpnMessage.objects.filter(refused).count()} refused or "
                "duplicate message(s)"
            )
            return
        report = purge_inbox(limit=options["limit"])
        self.stdout.write(
            f"deleted {report.followed} processed or ignored and {report.refused} refused or "
            "duplicate message(s)"
        )
