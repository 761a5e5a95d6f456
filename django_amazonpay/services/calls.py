"""The MWS call log: one MwsCall row per operation the client made (issue 4 item 6).

Called by the client for every call, inside or outside a transaction. Logging must never
break a payment: a missing table or a broken connection is logged and swallowed.
"""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError

from ..logs import get_logger
from .savepoints import guarded_statement

logger = get_logger(__name__)


def _text(value: Any, limit: int) -> str:
    return "" if value is None else str(value)[:limit]


def record_call(record: Any) -> None:
    """Store a mws.types.CallRecord (operation, object id, timing, outcome; no payloads)."""
    from ..models import MwsCall

    try:
        # a failure must not poison the caller's transaction; outside one (the usual case:
        # Amazon is called with no transaction open) no BEGIN/COMMIT is spent on it
        with guarded_statement():
            MwsCall.objects.create(
                operation=_text(record.operation, 64),
                object_id=_text(getattr(record, "object_id", None), 64),
                duration=float(getattr(record, "duration", 0.0) or 0.0),
                attempts=int(getattr(record, "attempts", 1) or 1),
                http_status=getattr(record, "http_status", None),
                outcome=_text(getattr(record, "outcome", ""), 32),
                error_code=_text(getattr(record, "error_code", None), 64),
                request_id=_text(getattr(record, "request_id", None), 64),
            )
    except DatabaseError as err:
        logger.warning("MWS call log not written (%s): %s", record.operation, err)
