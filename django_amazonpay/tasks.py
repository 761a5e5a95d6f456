"""Celery tasks: thin `shared_task` wrappers around the services (STYLE 10).

The app never creates a Celery app: these bind to the host's. Every task takes ids or
nothing, is idempotent (so `acks_late` is safe: a task lost with its worker runs again) and
retries transient MWS failures (Throttled, ServerError, TransportError) with exponential
backoff and jitter. Several workers may run them at once: each object is claimed first
(services.claims). The schedule belongs to the host: copy BEAT_SCHEDULE (docs/tasks.md).
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import DatabaseError

from .ipn.sns import CertificateUnavailable
from .mws.errors import TRANSIENT_ERRORS

COMMON: dict[str, Any] = {
    "acks_late": True,
    # a worker killed mid-task: the message goes back to the queue (idempotent tasks)
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}

#: The default schedule: CELERY_BEAT_SCHEDULE = {**django_amazonpay.tasks.BEAT_SCHEDULE}.
#: Plain seconds, so importing it needs no Celery app.
BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "amazon-pay-settle-pending": {
        "task": "django_amazonpay.settle_pending",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "amazon-pay-close-finished-orders": {
        "task": "django_amazonpay.close_finished_orders",
        "schedule": 3600.0,
    },
    "amazon-pay-cancel-unauthorized-orders": {
        "task": "django_amazonpay.cancel_unauthorized_orders",
        "schedule": 900.0,
    },
    "amazon-pay-warn-expiring-authorizations": {
        "task": "django_amazonpay.warn_expiring_authorizations",
        "schedule": 3600.0,
    },
    "amazon-pay-reconcile-open-orders": {
        "task": "django_amazonpay.reconcile_open_orders",
        "schedule": 6 * 3600.0,
    },
    "amazon-pay-retry-ipn-inbox": {
        "task": "django_amazonpay.retry_ipn_inbox",
        "schedule": 300.0,
    },
    "amazon-pay-purge-ipn-inbox": {
        "task": "django_amazonpay.purge_ipn_inbox",
        "schedule": 86400.0,
    },
}


@shared_task(name="django_amazonpay.settle_pending", **COMMON)
def settle_pending(limit: int | None = None, kinds: list[str] | None = None) -> dict[str, Any]:
    """Poll pending authorizations, captures and refunds, oldest first, within the budget."""
    from .services.settling import KINDS
    from .services.settling import settle_pending as run

    return run(limit=limit, kinds=tuple(kinds or KINDS)).as_dict()


@shared_task(name="django_amazonpay.close_finished_orders", **COMMON)
def close_finished_orders(limit: int = 100) -> dict[str, int]:
    """Close order references whose business is done (CLOSE_POLICY)."""
    from .services.housekeeping import close_finished_orders as run

    return run(limit)


@shared_task(name="django_amazonpay.cancel_unauthorized_orders", **COMMON)
def cancel_unauthorized_orders(limit: int = 100) -> dict[str, int]:
    """Cancel order references never authorized within CANCEL_UNAUTHORIZED_AFTER_HOURS."""
    from .services.housekeeping import cancel_unauthorized_orders as run

    return run(limit)


@shared_task(name="django_amazonpay.warn_expiring_authorizations", **COMMON)
def warn_expiring_authorizations(limit: int = 500) -> dict[str, int]:
    """Send `authorization_expiring` for Open authorizations near their expiry."""
    from .services.housekeeping import warn_expiring_authorizations as run

    return run(limit)


@shared_task(name="django_amazonpay.reconcile_open_orders", **COMMON)
def reconcile_open_orders(
    limit: int = 100, order_reference_ids: list[str] | None = None
) -> dict[str, int]:
    """Walk open order references' IdLists; import what was made outside the app."""
    from .services.reconciling import reconcile_open_orders as run

    return run(limit=limit, order_reference_ids=order_reference_ids).as_dict()


@shared_task(
    name="django_amazonpay.process_ipn_message",
    **{**COMMON, "autoretry_for": (*TRANSIENT_ERRORS, DatabaseError, CertificateUnavailable)},
)
def process_ipn_message(pk: int, force: bool = False) -> str:
    """Apply one stored IPN (enqueued after the endpoint answered)."""
    from .ipn.processing import process

    return process(pk, force=force)


@shared_task(name="django_amazonpay.retry_ipn_inbox", **COMMON)
def retry_ipn_inbox(older_than_seconds: int = 120, limit: int = 500) -> int:
    """Re-enqueue valid messages still pending or failed (lost enqueue, exhausted retries)."""
    from .ipn.inbox import retry_inbox

    return retry_inbox(older_than_seconds=older_than_seconds, limit=limit)


@shared_task(name="django_amazonpay.purge_ipn_inbox", **COMMON)
def purge_ipn_inbox(limit: int | None = None) -> dict[str, int]:
    """Delete inbox rows past IPN_RETENTION_DAYS / IPN_REJECTED_RETENTION_DAYS."""
    from .ipn.retention import purge_inbox

    return purge_inbox(limit=limit).as_dict()
