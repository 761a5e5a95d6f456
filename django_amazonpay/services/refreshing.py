"""Refresh any object from Amazon, and adopt objects Amazon knows and we do not.

The order reference's IdList lists its authorizations, an authorization's its captures, a
capture's its refunds (spec 3.8): an id we do not know is fetched and matched to our
in-doubt attempt by reference id, or imported as a new row (e.g. CaptureNow's capture).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Max

from ..client import get_client
from ..models import Authorization, Capture, OrderReference, Refund
from ..mws.types import AuthorizationDetails, CaptureDetails, RefundDetails
from ..states import AttemptState, OrderReferenceState
from .locking import locked_order_reference
from .sync import apply_details

M = TypeVar("M", OrderReference, Authorization, Capture, Refund)


def _next_attempt(queryset: Any) -> int:
    return (queryset.aggregate(n=Max("attempt"))["n"] or 0) + 1


def adopt_authorization(
    order_reference: OrderReference, details: AuthorizationDetails, *, source: str
) -> Authorization:
    """The row for `details` (ours by reference id, or a new one), with the details applied."""
    with locked_order_reference(order_reference.pk) as oro:
        auth = (
            Authorization.objects.filter(
                amazon_authorization_id=details.amazon_authorization_id
            ).first()
            or Authorization.objects.filter(
                authorization_reference_id=details.authorization_reference_id
            ).first()
        )
        if auth is None:
            auth = Authorization(
                order_reference=oro,
                attempt=_next_attempt(oro.authorizations.all()),
                attempt_state=AttemptState.DONE,
                transaction_timeout=0,
            )
        apply_details(auth, details, source=source, request_id=details.request_id)
    return auth


def adopt_capture(authorization: Authorization, details: CaptureDetails, *, source: str) -> Capture:
    with locked_order_reference(authorization.order_reference_id) as oro:
        cap = (
            Capture.objects.filter(amazon_capture_id=details.amazon_capture_id).first()
            or Capture.objects.filter(capture_reference_id=details.capture_reference_id).first()
        )
        if cap is None:
            cap = Capture(
                order_reference=oro,
                authorization=authorization,
                attempt=_next_attempt(authorization.captures.all()),
                attempt_state=AttemptState.DONE,
            )
        apply_details(cap, details, source=source, request_id=details.request_id)
    return cap


def adopt_refund(capture: Capture, details: RefundDetails, *, source: str) -> Refund:
    with locked_order_reference(capture.order_reference_id) as oro:
        ref = (
            Refund.objects.filter(amazon_refund_id=details.amazon_refund_id).first()
            or Refund.objects.filter(refund_reference_id=details.refund_reference_id).first()
        )
        if ref is None:
            ref = Refund(
                order_reference=oro,
                capture=capture,
                attempt=_next_attempt(capture.refunds.all()),
                attempt_state=AttemptState.DONE,
            )
        apply_details(ref, details, source=source, request_id=details.request_id)
    return ref


def refresh(obj: M, *, source: str = "poll") -> M:
    """Fetch `obj`'s details from Amazon and apply them; returns the row as now stored.

    An attempt still in flight (no Amazon id yet) is reconciled by its reference id. An
    order reference found Open again after an asynchronous soft decline is re-authorized
    (`handle_order_reference_reopened`).
    """
    client = get_client()
    if isinstance(obj, OrderReference):
        details = client.get_order_reference_details(obj.amazon_order_reference_id)
        with locked_order_reference(obj.pk) as oro:
            apply_details(oro, details, source=source, request_id=details.request_id)
        known = set(
            Authorization.objects.filter(amazon_authorization_id__in=details.id_list).values_list(
                "amazon_authorization_id", flat=True
            )
        )
        unknown = [auth_id for auth_id in details.id_list if auth_id not in known]
        for auth_id in unknown:
            adopt_authorization(oro, client.get_authorization_details(auth_id), source="reconcile")
        if unknown:
            # an adopted soft decline sets payment_method_update_required on the row; else
            # `oro` is the row as just saved under the lock
            oro.refresh_from_db()
        if oro.payment_method_update_required and oro.state == OrderReferenceState.OPEN:
            from .authorizing import handle_order_reference_reopened

            handle_order_reference_reopened(oro)
            oro.refresh_from_db()
        return oro  # type: ignore[return-value]
    if isinstance(obj, Authorization):
        if not obj.amazon_authorization_id:
            from .authorizing import reconcile_authorization

            return reconcile_authorization(obj)  # type: ignore[return-value]
        auth_details = client.get_authorization_details(obj.amazon_authorization_id)
        with locked_order_reference(obj.order_reference_id):
            auth = Authorization.objects.get(pk=obj.pk)
            apply_details(auth, auth_details, source=source, request_id=auth_details.request_id)
        known = set(auth.captures.values_list("amazon_capture_id", flat=True))
        for capture_id in auth_details.id_list:
            if capture_id not in known:
                adopt_capture(auth, client.get_capture_details(capture_id), source="reconcile")
        return auth  # type: ignore[return-value]
    if isinstance(obj, Capture):
        if not obj.amazon_capture_id:
            from .capturing import reconcile_capture

            return reconcile_capture(obj)  # type: ignore[return-value]
        cap_details = client.get_capture_details(obj.amazon_capture_id)
        with locked_order_reference(obj.order_reference_id):
            cap = Capture.objects.get(pk=obj.pk)
            apply_details(cap, cap_details, source=source, request_id=cap_details.request_id)
        known = set(cap.refunds.values_list("amazon_refund_id", flat=True))
        for refund_id in cap_details.id_list:
            if refund_id not in known:
                adopt_refund(cap, client.get_refund_details(refund_id), source="reconcile")
        return cap  # type: ignore[return-value]
    if isinstance(obj, Refund):
        if not obj.amazon_refund_id:
            from .refunding import reconcile_refund

            return reconcile_refund(obj)  # type: ignore[return-value]
        ref_details = client.get_refund_details(obj.amazon_refund_id)
        with locked_order_reference(obj.order_reference_id):
            ref = Refund.objects.get(pk=obj.pk)
            apply_details(ref, ref_details, source=source, request_id=ref_details.request_id)
        return ref  # type: ignore[return-value]
    raise TypeError(f"cannot refresh {type(obj).__name__}")
