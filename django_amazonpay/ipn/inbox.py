"""Reprocessing the inbox: by id (admin, command) or every message left behind (beat task)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone

from ..models.ipn import IpnMessage, IpnProcessing, IpnVerdict
from .processing import enqueue, process

#: after this many attempts a failed message waits for a human (admin or command)
MAX_AUTOMATIC_ATTEMPTS = 10


def reprocess(pks: Iterable[int], *, now: bool = True) -> dict[int, str]:
    """Apply the messages again (force: processed ones too); `now=False` enqueues instead."""
    results: dict[int, str] = {}
    for pk in pks:
        if now:
            try:
                results[pk] = process(pk, force=True)
            except Exception as exc:  # recorded on the row by process()
                results[pk] = f"{type(exc).__name__}: {exc}"
        else:
            enqueue(pk)
            results[pk] = "enqueued"
    return results


def retry_inbox(*, older_than_seconds: int = 120, limit: int = 500) -> int:
    """Enqueue valid messages pending or failed for a while; returns how many."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pks = list(
        IpnMessage.objects.filter(
            verdict=IpnVerdict.VALID,
            processing__in=(IpnProcessing.PENDING, IpnProcessing.FAILED),
            received_at__lt=cutoff,
            attempts__lt=MAX_AUTOMATIC_ATTEMPTS,
        )
        .order_by("received_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in pks:
        enqueue(pk)
    return len(pks)
