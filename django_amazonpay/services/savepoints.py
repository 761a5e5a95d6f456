"""One statement that may fail (IntegrityError, a missing table) without spoiling anything.

Inside a transaction a failed statement aborts it (PostgreSQL), so the statement needs a
savepoint of its own. Outside one (autocommit, where Amazon is called: STYLE 6) the statement
is its own transaction: wrapping it in BEGIN/COMMIT would only add two round trips.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


@contextmanager
def guarded_statement(using: str | None = None) -> Iterator[None]:
    """A savepoint around the block when a transaction is open; nothing in autocommit.

    The block must run one writing statement: in autocommit, two would commit separately.
    """
    if transaction.get_connection(using).in_atomic_block:
        with transaction.atomic(using=using):
            yield
    else:
        yield
