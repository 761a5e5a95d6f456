"""Claims: "I am working on this object now" across threads, processes and hosts.

Several Celery workers run the same periodic tasks; each object must be polled (or each IPN
applied) by one of them at a time. On PostgreSQL a session advisory lock is taken with
pg_try_advisory_lock (never waits: the loser skips the object); elsewhere an atomic
`cache.add` in the throttle cache (Redis or Memcached in production, shared by every worker).
No database row lock is held, so Amazon is never called under one (STYLE 6).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import caches
from django.db import connection

from ..conf import get_settings

PREFIX = "amazonpay:claim:"
#: a crashed holder's cache claim frees itself after this many seconds
DEFAULT_TTL = 600
#: the same for a person's request (an API step, an admin button): it answers within seconds
REQUEST_TTL = 60


def _lock_id(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def claim(key: str, ttl: int = DEFAULT_TTL) -> Iterator[bool]:
    """Yields True when this caller holds `key` for the block, False when someone else does."""
    if connection.vendor == "postgresql":
        lock_id = _lock_id(PREFIX + key)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_id])
            held = bool(cursor.fetchone()[0])
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])
        return
    cache = caches[get_settings().throttle_cache]
    token = uuid.uuid4().hex
    held = bool(cache.add(PREFIX + key, token, ttl))
    try:
        yield held
    finally:
        if held and cache.get(PREFIX + key) == token:
            cache.delete(PREFIX + key)
