"""Row locks: every mutating use case serializes on its order reference row (STYLE 6).

Lock, re-read, decide, write the intent, commit; call Amazon with no lock held; lock again
and apply the answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from ..models import OrderReference


@contextmanager
def locked_order_reference(pk: int) -> Iterator[OrderReference]:
    """A fresh OrderReference row, locked until the block's transaction ends."""
    with transaction.atomic():
        yield OrderReference.objects.select_for_update().get(pk=pk)
