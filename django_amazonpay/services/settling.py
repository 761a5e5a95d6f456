"""Polling: settle pending authorizations, captures and refunds (spec 3.3-3.6, 3.8).

Amazon settles asynchronous objects on its own time and says so by IPN; polling catches the
IPNs that never came. One Get...Details per object, oldest first, through the shared client
whose throttle bucket every process draws from (spec 2.1), until the batch or the run's time
budget is spent; the rest waits for the next run. Each object is claimed first, so several
workers never poll the same one, and re-read after the claim, so an object an IPN settled in
the meantime is not polled again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from ..client import background
from ..conf import get_settings
from ..logs import get_logger
from ..models import Authorization, Capture, Refund
from ..mws.errors import TRANSIENT_ERRORS, MwsError
from ..states import AttemptState
from .claims import claim
from .errors import ServiceError
from .refreshing import refresh
from .sync import recording_changes

logger = get_logger("django_amazonpay.tasks")

#: an attempt still "requesting" after this long belongs to a crashed process
STUCK_REQUEST = timedelta(minutes=10)
#: give the request that left an attempt "in doubt" a moment to reconcile it itself
IN_DOUBT_GRACE = timedelta(minutes=1)
KINDS: dict[str, type[Authorization] | type[Capture] | type[Refund]] = {
    "authorization": Authorization,
    "capture": Capture,
    "refund": Refund,
}


@dataclass
class SettleReport:
    polled: int = 0
    changed: int = 0
    skipped: int = 0
    errors: int = 0
    left: int = 0
    stopped: str = ""
    changed_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "polled": self.polled,
            "changed": self.changed,
            "skipped": self.skipped,
            "errors": self.errors,
            "left": self.left,
            "stopped": self.stopped,
        }


def pending_filter() -> Q:
    """Pending at Amazon, or our call's outcome unknown (spec 3.3-3.5; STYLE 6 attempts)."""
    now = timezone.now()
    return (
        Q(attempt_state=AttemptState.DONE, state="Pending")
        | Q(attempt_state=AttemptState.IN_DOUBT, updated_at__lt=now - IN_DOUBT_GRACE)
        | Q(attempt_state=AttemptState.REQUESTING, updated_at__lt=now - STUCK_REQUEST)
    )


def candidates(limit: int, kinds: tuple[str, ...] = tuple(KINDS)) -> list[tuple[str, int]]:
    """(kind, pk) of the `limit` oldest pending objects of all kinds together."""
    rows: list[tuple[object, int, str, int]] = []
    for kind in kinds:
        qs = KINDS[kind].objects.filter(pending_filter()).order_by("created_at", "id")
        for pk, created in qs.values_list("pk", "created_at")[:limit]:
            rows.append((created, pk, kind, pk))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [(kind, pk) for _, _, kind, pk in rows[:limit]]


@background()  # its MWS calls draw on the background share (docs/api.md, Quota shares)
def settle_pending(
    *,
    limit: int | None = None,
    budget: float | None = None,
    kinds: tuple[str, ...] = tuple(KINDS),
    clock: Callable[[], float] = time.monotonic,
) -> SettleReport:
    """Poll pending objects oldest first; returns what happened. Idempotent.

    `limit` (default SETTLE_BATCH_SIZE) bounds the objects, `budget` (default
    SETTLE_TIME_BUDGET seconds on `clock`) the time; a transient failure that outlived the
    client's own retries ends the run and is raised (the task retries with backoff).
    """
    settings = get_settings()
    limit = settings.settle_batch_size if limit is None else limit
    budget = settings.settle_time_budget if budget is None else budget
    deadline = clock() + budget
    report = SettleReport()
    todo = candidates(limit, kinds)
    for index, (kind, pk) in enumerate(todo):
        if clock() >= deadline:
            report.left = len(todo) - index
            report.stopped = "time budget spent"
            break
        with claim(f"settle:{kind}:{pk}") as held:
            if not held:
                report.skipped += 1
                continue
            obj = KINDS[kind].objects.filter(pk=pk).filter(pending_filter()).first()
            if obj is None:  # settled meanwhile (an IPN, another worker)
                report.skipped += 1
                continue
            try:
                # counted from what this run wrote, not from a before/after comparison: with
                # claims that are not shared (a per-process cache), another worker may have
                # settled the object between our read and our refresh
                with recording_changes() as changes:
                    after = refresh(obj, source="poll")
            except TRANSIENT_ERRORS:
                report.left = len(todo) - index
                report.stopped = "transient error"
                logger.info("settle run stopped: %s", report.as_dict())
                raise
            except (MwsError, ServiceError) as exc:
                report.errors += 1
                logger.warning("settling %s %s failed: %s", kind, obj, exc)
                continue
            report.polled += 1
            if changes:
                report.changed += 1
                report.changed_ids.append(str(after))
    if not report.stopped and len(todo) == limit:
        report.stopped = "batch full"
    logger.info("settle run: %s", report.as_dict())
    return report
