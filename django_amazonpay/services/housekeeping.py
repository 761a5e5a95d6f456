"""Periodic housekeeping: close finished orders, cancel abandoned ones, warn before expiry.

- CLOSE_POLICY "on_full_capture": close an order reference once its captures reach the
  order total; "days_after_capture": CLOSE_AFTER_DAYS after its last capture (spec 3.1:
  closing stops new authorizations, captures stay refundable).
- An Open/Suspended order reference never authorized after CANCEL_UNAUTHORIZED_AFTER_HOURS
  is canceled (spec 2.4 CancelOrderReference).
- `authorization_expiring` is sent once per authorization, EXPIRY_WARNING_HOURS before it
  expires: 30 days after creation, 2 days in the sandbox (spec 3.6).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db.models import Exists, F, Max, OuterRef, Q, Sum
from django.utils import timezone

from .. import signals
from ..client import background
from ..conf import get_settings
from ..logs import get_logger
from ..models import Authorization, Capture, OrderReference
from ..mws.errors import TRANSIENT_ERRORS, MwsError
from ..states import AttemptState, AuthorizationState, OrderReferenceState
from .claims import claim
from .closing import cancel_order, close_order
from .errors import ServiceError

logger = get_logger("django_amazonpay.tasks")

OPEN_STATES = (OrderReferenceState.OPEN, OrderReferenceState.SUSPENDED)
COUNTED_CAPTURES = ("Completed", "Closed")
#: spec 3.6: production authorizations expire after 30 days, sandbox ones after 2
AUTH_LIFETIME = {True: timedelta(days=2), False: timedelta(days=30)}


def _busy() -> Q:
    """Something still moving: a pending/in-flight authorization or capture."""
    pending_auth = Authorization.objects.filter(order_reference=OuterRef("pk")).filter(
        Q(state="Pending") | Q(attempt_state__in=(AttemptState.REQUESTING, AttemptState.IN_DOUBT))
    )
    pending_cap = Capture.objects.filter(order_reference=OuterRef("pk")).filter(
        Q(state="Pending") | Q(attempt_state__in=(AttemptState.REQUESTING, AttemptState.IN_DOUBT))
    )
    return Q(Exists(pending_auth)) | Q(Exists(pending_cap))


def finished_orders(limit: int = 100) -> list[OrderReference]:
    settings = get_settings()
    qs = OrderReference.objects.filter(state__in=OPEN_STATES).exclude(_busy())
    captured = Capture.objects.filter(order_reference=OuterRef("pk"), state__in=COUNTED_CAPTURES)
    qs = qs.filter(Exists(captured))
    if settings.close_policy == "on_full_capture":
        qs = qs.annotate(
            captured_total=Sum("captures__amount", filter=Q(captures__state__in=COUNTED_CAPTURES))
        ).filter(captured_total__gte=F("amount"))
    else:
        cutoff = timezone.now() - timedelta(days=settings.close_after_days)
        qs = qs.annotate(last_capture=Max("captures__created_at")).filter(last_capture__lt=cutoff)
    return list(qs.order_by("created_at", "id")[:limit])


@background()  # scheduled work: the background share of the quota (docs/api.md, Quota shares)
def _run(
    orders: list[OrderReference], action: Callable[..., Any], key: str, reason: str
) -> dict[str, int]:
    done = skipped = errors = 0
    for oro in orders:
        with claim(f"{key}:{oro.pk}") as held:
            if not held:
                skipped += 1
                continue
            try:
                action(oro, reason=reason)
                done += 1
            except TRANSIENT_ERRORS:
                raise
            except (MwsError, ServiceError) as exc:
                errors += 1
                logger.warning("%s %s failed: %s", key, oro, exc)
    return {"done": done, "skipped": skipped, "errors": errors}


def close_finished_orders(limit: int = 100) -> dict[str, int]:
    """CloseOrderReference for every order whose business is done (CLOSE_POLICY)."""
    result = _run(finished_orders(limit), close_order, "close", "order completed")
    logger.info("close run: %s", result)
    return result


def unauthorized_orders(limit: int = 100) -> list[OrderReference]:
    hours = get_settings().cancel_unauthorized_after_hours
    cutoff = timezone.now() - timedelta(hours=hours)
    # never authorized: no authorization except failed attempts and declines
    live = Authorization.objects.filter(order_reference=OuterRef("pk")).exclude(
        Q(attempt_state=AttemptState.FAILED) | Q(state=AuthorizationState.DECLINED)
    )
    qs = OrderReference.objects.filter(state__in=OPEN_STATES, created_at__lt=cutoff)
    return list(qs.exclude(Exists(live)).order_by("created_at", "id")[:limit])


def cancel_unauthorized_orders(limit: int = 100) -> dict[str, int]:
    """CancelOrderReference for orders never authorized within the timeout."""
    result = _run(unauthorized_orders(limit), cancel_order, "cancel", "never authorized")
    logger.info("cancel run: %s", result)
    return result


def effective_expiry(auth: Authorization) -> Any:
    """When Amazon will close it ExpiredUnused: sandbox 2 days, not ExpirationTimestamp."""
    settings = get_settings()
    created = auth.amazon_created_at or auth.created_at
    if settings.sandbox or auth.expiration is None:
        return created + AUTH_LIFETIME[settings.sandbox]
    return auth.expiration


def warn_expiring_authorizations(limit: int = 500) -> dict[str, int]:
    """Send `authorization_expiring` once per Open authorization near its expiry."""
    settings = get_settings()
    now = timezone.now()
    horizon = timedelta(hours=settings.expiry_warning_hours)
    lifetime = AUTH_LIFETIME[settings.sandbox]
    # a coarse database filter (created long enough ago), the exact one below
    oldest_relevant = now + horizon - lifetime
    qs = Authorization.objects.filter(
        state=AuthorizationState.OPEN, expiry_warned_at__isnull=True
    ).filter(
        Q(amazon_created_at__lte=oldest_relevant)
        | Q(amazon_created_at__isnull=True, created_at__lte=oldest_relevant)
        | Q(expiration__lte=now + horizon)
    )
    sent = 0
    for auth in qs.select_related("order_reference").order_by("created_at", "id")[:limit]:
        expires = effective_expiry(auth)
        if not (now <= expires <= now + horizon):
            continue
        # once per authorization, whatever the number of workers: the conditional UPDATE
        # lets exactly one of them mark it
        if not Authorization.objects.filter(pk=auth.pk, expiry_warned_at__isnull=True).update(
            expiry_warned_at=now
        ):
            continue
        signals.send_after_commit(
            signals.authorization_expiring, Authorization, instance=auth, expires_at=expires
        )
        sent += 1
    logger.info("expiry watch: %d warnings", sent)
    return {"warned": sent}
