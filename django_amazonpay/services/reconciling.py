"""Reconciliation: walk each open order reference's IdLists against our records (spec 3.8).

Authorizations, captures and refunds made outside the app (Seller Central, another system)
are imported, and every change found is recorded with source "reconcile". Our own in-flight
attempts are left to the settle task, which knows how to reconcile them by reference id.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..client import background, get_client
from ..logs import get_logger
from ..models import Authorization, Capture, OrderReference, StateTransition
from ..mws.errors import TRANSIENT_ERRORS, MwsError
from ..states import AttemptState, OrderReferenceState
from .claims import claim
from .errors import ServiceError
from .locking import locked_order_reference
from .refreshing import adopt_authorization, adopt_capture, adopt_refund
from .sync import apply_details

logger = get_logger("django_amazonpay.tasks")

SOURCE = "reconcile"
OPEN_STATES = (OrderReferenceState.OPEN, OrderReferenceState.SUSPENDED)


@dataclass
class ReconcileReport:
    orders: int = 0
    calls: int = 0
    transitions: int = 0
    skipped: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _known_done(model: type, field: str, ids: tuple[str, ...]) -> dict[str, object]:
    rows = model.objects.filter(**{f"{field}__in": ids})
    return {getattr(row, field): row for row in rows}


def reconcile_order(order_reference: OrderReference, report: ReconcileReport | None = None) -> int:
    """Walk one order reference: ORO -> authorizations -> captures -> refunds.

    Every object Amazon lists is fetched once (one Get...Details each) and applied with
    source "reconcile"; unknown ones are imported. Returns the number of MWS calls made.
    """
    report = report or ReconcileReport()
    client = get_client()
    calls = 0
    details = client.get_order_reference_details(order_reference.amazon_order_reference_id)
    calls += 1
    with locked_order_reference(order_reference.pk) as oro:
        apply_details(oro, details, source=SOURCE, request_id=details.request_id)
    auths = _known_done(Authorization, "amazon_authorization_id", details.id_list)
    for auth_id in details.id_list:
        auth = auths.get(auth_id)
        if auth is not None and auth.attempt_state != AttemptState.DONE:
            continue  # ours, in flight: settle_pending reconciles it by reference id
        if auth is not None and auth.state == "Declined":
            continue  # terminal and never has captures (spec 3.3)
        auth_details = client.get_authorization_details(auth_id)
        calls += 1
        auth = adopt_authorization(oro, auth_details, source=SOURCE)
        caps = _known_done(Capture, "amazon_capture_id", auth_details.id_list)
        for capture_id in auth_details.id_list:
            cap = caps.get(capture_id)
            if cap is not None and (
                cap.attempt_state != AttemptState.DONE or cap.state == "Declined"
            ):
                continue
            cap_details = client.get_capture_details(capture_id)
            calls += 1
            cap = adopt_capture(auth, cap_details, source=SOURCE)
            for refund_id in cap_details.id_list:
                refund = cap.refunds.filter(amazon_refund_id=refund_id).first()
                if refund is not None and refund.state in ("Completed", "Declined"):
                    continue  # terminal (spec 3.5): nothing new to learn
                adopt_refund(cap, client.get_refund_details(refund_id), source=SOURCE)
                calls += 1
    report.calls += calls
    return calls


@background()  # scheduled work: the background share of the quota (docs/api.md, Quota shares)
def reconcile_open_orders(
    *, limit: int = 100, order_reference_ids: list[str] | None = None
) -> ReconcileReport:
    """Reconcile open (and suspended) order references, least recently updated first."""
    report = ReconcileReport()
    qs = OrderReference.objects.all()
    if order_reference_ids:
        qs = qs.filter(amazon_order_reference_id__in=order_reference_ids)
    else:
        qs = qs.filter(state__in=OPEN_STATES)
    before = StateTransition.objects.filter(source=SOURCE).count()
    for oro in qs.order_by("updated_at", "id")[:limit]:
        with claim(f"reconcile:{oro.pk}") as held:
            if not held:
                report.skipped += 1
                continue
            try:
                reconcile_order(oro, report)
            except TRANSIENT_ERRORS:
                raise
            except (MwsError, ServiceError) as exc:
                report.errors += 1
                logger.warning("reconciling %s failed: %s", oro, exc)
                continue
            report.orders += 1
    report.transitions = StateTransition.objects.filter(source=SOURCE).count() - before
    logger.info("reconcile run: %s", report.as_dict())
    return report
