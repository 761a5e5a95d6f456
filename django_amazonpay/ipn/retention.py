"""How long the inbox keeps deliveries (docs/ipn.md, Retention).

Processed and ignored notifications are kept IPN_RETENTION_DAYS, refused and duplicate
deliveries (and rows a crash left unchecked) IPN_REJECTED_RETENTION_DAYS. Valid notifications
still pending or failed are never purged: they wait for processing or a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from ..conf import get_settings
from ..models.ipn import IpnMessage, IpnProcessing, IpnVerdict

#: rows deleted per statement, so one purge never holds a long lock on a large inbox
BATCH = 1000


@dataclass
class PurgeReport:
    followed: int = 0
    refused: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"followed": self.followed, "refused": self.refused}


def purgeable(now: datetime | None = None) -> tuple[Q, Q]:
    """(valid notifications done with, refused/duplicate/unchecked deliveries) past retention."""
    settings = get_settings()
    now = now or timezone.now()
    followed = Q(
        verdict=IpnVerdict.VALID,
        processing__in=(IpnProcessing.PROCESSED, IpnProcessing.IGNORED),
        received_at__lt=now - timedelta(days=settings.ipn_retention_days),
    )
    refused = Q(
        verdict__in=(IpnVerdict.REJECTED, IpnVerdict.DUPLICATE, IpnVerdict.RECEIVED),
        received_at__lt=now - timedelta(days=settings.ipn_rejected_retention_days),
    )
    return followed, refused


def _delete(condition: Q, limit: int | None) -> int:
    deleted = 0
    while limit is None or deleted < limit:
        size = BATCH if limit is None else min(BATCH, limit - deleted)
        pks = list(IpnMessage.objects.filter(condition).values_list("pk", flat=True)[:size])
        if not pks:
            break
        deleted += IpnMessage.objects.filter(pk__in=pks).delete()[0]
    return deleted


def purge_inbox(*, limit: int | None = None, now: datetime | None = None) -> PurgeReport:
    """Delete what retention no longer keeps; at most `limit` rows of each kind per call."""
    followed, refused = purgeable(now)
    return PurgeReport(followed=_delete(followed, limit), refused=_delete(refused, limit))
