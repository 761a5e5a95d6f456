"""Database errors the app answers as "try again" instead of a server error."""

from __future__ import annotations

from django.db import OperationalError

#: PostgreSQL's serialization failure, deadlock and lock timeout (SQLSTATE)
_LOCK_STATES = frozenset({"40001", "40P01", "55P03"})


def database_busy(error: BaseException) -> bool:
    """Whether `error` is a lock another request held longer than the database waits
    (SQLite's "database is locked" after its timeout, PostgreSQL's lock errors): the same
    request can succeed when tried again. Any other database error is a real one."""
    if not isinstance(error, OperationalError):
        return False
    if "database is locked" in str(error) or "database table is locked" in str(error):
        return True
    return getattr(error.__cause__, "sqlstate", None) in _LOCK_STATES
