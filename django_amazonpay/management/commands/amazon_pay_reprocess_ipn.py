"""`manage.py amazon_pay_reprocess_ipn`: apply stored IPN messages again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ...ipn.inbox import reprocess
from ...models.ipn import IpnMessage, IpnProcessing, IpnVerdict


class Command(BaseCommand):
    help = (
        "Reprocess stored IPN messages: by id, or --failed / --pending ones. Only valid "
        "deliveries are applied; rejected and duplicate ones stay as evidence."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="IpnMessage ids")
        parser.add_argument("--failed", action="store_true", help="every failed message")
        parser.add_argument("--pending", action="store_true", help="every pending message")
        parser.add_argument("--since-hours", type=float, default=None, help="received since")
        parser.add_argument(
            "--enqueue", action="store_true", help="hand them to Celery instead of running here"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        qs = IpnMessage.objects.filter(verdict=IpnVerdict.VALID)
        states = [IpnProcessing.FAILED] * options["failed"] + [IpnProcessing.PENDING] * options[
            "pending"
        ]
        if options["ids"]:
            qs = qs.filter(pk__in=options["ids"])
        elif states:
            qs = qs.filter(processing__in=states)
        else:
            raise CommandError("give message ids, --failed or --pending")
        if options["since_hours"] is not None:
            qs = qs.filter(
                received_at__gte=timezone.now() - timedelta(hours=options["since_hours"])
            )
        pks = list(qs.order_by("received_at", "id").values_list("pk", flat=True))
        for pk, result in reprocess(pks, now=not options["enqueue"]).items():
            self.stdout.write(f"#{pk}: {result}")
        self.stdout.write(f"{len(pks)} message(s)")
