"""`manage.py amazon_pay_settle`: poll pending objects now (what the settle task does)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ...services.settling import KINDS, settle_pending


class Command(BaseCommand):
    help = "Poll pending Amazon Pay authorizations, captures and refunds, oldest first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="objects at most")
        parser.add_argument("--budget", type=float, default=None, help="seconds at most")
        parser.add_argument(
            "--kind", action="append", choices=sorted(KINDS), help="only these kinds"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = settle_pending(
            limit=options["limit"],
            budget=options["budget"],
            kinds=tuple(options["kind"] or KINDS),
        )
        self.stdout.write(json.dumps(report.as_dict()))
