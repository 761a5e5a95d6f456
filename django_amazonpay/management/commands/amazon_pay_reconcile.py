"""`manage.py amazon_pay_reconcile [ORO id ...]`: walk IdLists and import outside objects."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ...services.reconciling import reconcile_open_orders


class Command(BaseCommand):
    help = (
        "Reconcile Amazon Pay order references with Amazon: the given ids, or every open one. "
        "Objects made outside the app are imported (source 'reconcile')."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("order_reference_ids", nargs="*", help="AmazonOrderReferenceIds")
        parser.add_argument("--limit", type=int, default=100, help="order references at most")

    def handle(self, *args: Any, **options: Any) -> None:
        report = reconcile_open_orders(
            limit=options["limit"], order_reference_ids=options["order_reference_ids"] or None
        )
        self.stdout.write(json.dumps(report.as_dict()))
