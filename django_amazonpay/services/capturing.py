"""Capture an authorization, re-authorizing first when it is too old (spec 2.4, 3.4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ..amounts import Amount
from ..client import get_client
from ..conf import get_settings
from ..models import Authorization, Capture
from ..states import AttemptState, AuthorizationState, CaptureState, OrderReferenceState
from .attempts import IN_FLIGHT, call_and_apply, check_notes, parse_amount, reference_id
from .errors import AmazonRequestError, AmountExceededError, InvalidStateError
from .locking import locked_order_reference

#: captures within 7 days of the authorization are processed at once (spec 2.4 Capture, 3.6)
HONOUR_PERIOD = timedelta(days=7)


def now() -> Any:
    """The time the honour period is measured against (a seam for tests)."""
    return timezone.now()


@dataclass
class CaptureResult:
    """What `capture` did.

    outcome: "completed", "pending" (settled later by refresh/IPN), "declined", "closed",
    or "in_doubt" (no answer; the next call reconciles it).
    """

    capture: Capture
    outcome: str
    #: the authorization actually captured (a new one when re-authorized)
    authorization: Authorization
    #: True when the original authorization had expired or was past the honour period
    reauthorized: bool = False
    #: True when an existing capture was returned instead of making a new one
    repeated: bool = False
    message: str = ""


def _outcome(cap: Capture) -> str:
    if cap.attempt_state in IN_FLIGHT:
        return "in_doubt"
    return {
        CaptureState.COMPLETED: "completed",
        CaptureState.PENDING: "pending",
        CaptureState.DECLINED: "declined",
        CaptureState.CLOSED: "closed",
    }.get(cap.state, "failed")


def _send(cap: Capture) -> Any:
    return lambda: get_client().capture(
        cap.authorization.amazon_authorization_id,
        capture_reference_id=cap.capture_reference_id,
        amount=Amount(cap.amount, cap.currency),
        seller_capture_note=cap.seller_note or None,
        soft_descriptor=cap.soft_descriptor or None,
    )


def _find(cap: Capture) -> Any:
    return lambda: get_client().find_capture(
        cap.authorization.amazon_authorization_id, cap.capture_reference_id
    )


def reconcile_capture(cap: Capture) -> Capture:
    call_and_apply(cap, _send(cap), _find(cap), reconcile=True)
    cap.refresh_from_db()
    return cap


def _too_old(auth: Authorization) -> bool:
    if auth.state == AuthorizationState.CLOSED and auth.reason_code == "ExpiredUnused":
        return True
    moment = now()
    if auth.expiration and auth.expiration <= moment:
        return True
    return bool(auth.amazon_created_at and moment - auth.amazon_created_at > HONOUR_PERIOD)


def capture(
    authorization: Authorization,
    *,
    amount: Decimal | str | int | None = None,
    source: str = "api",
    seller_note: str = "",
    soft_descriptor: str | None = None,
) -> CaptureResult:
    """Capture `amount` (default: all that is authorized) of `authorization`.

    `source` ("api" or "admin") is recorded on the transitions the answer brings.

    One capture per authorization (spec 3.4): a repeat or concurrent call returns the same
    capture. An expired authorization, or one past the 7-day honour period while its order
    reference is still Open, is replaced by a new authorization first (result.reauthorized);
    past the honour period with the order reference no longer Open, the old authorization is
    captured and Amazon answers Pending, settled later by refresh.
    """
    return _capture(authorization, amount, source, seller_note, soft_descriptor, renew=True)


def _capture(
    authorization: Authorization,
    amount: Any,
    source: str,
    seller_note: str,
    soft_descriptor: str | None,
    *,
    renew: bool,
) -> CaptureResult:
    check_notes(seller_note, soft_descriptor)
    with locked_order_reference(authorization.order_reference_id) as oro:
        auth = Authorization.objects.get(pk=authorization.pk)
        existing = auth.captures.filter(attempt_state__in=IN_FLIGHT).first()
        done = auth.captures.filter(
            attempt_state=AttemptState.DONE,
            state__in=(CaptureState.PENDING, CaptureState.COMPLETED, CaptureState.CLOSED),
        ).first()
        if existing is None and done is not None:
            return CaptureResult(done, _outcome(done), auth, repeated=True)
        cap = None
        reauthorize = False
        if existing is None:
            value = _check(auth, amount)
            reauthorize = renew and _too_old(auth) and oro.state == OrderReferenceState.OPEN
            if not reauthorize:
                if auth.state != AuthorizationState.OPEN:
                    raise InvalidStateError(
                        f"authorization {auth} is {auth.state or 'unknown'}: only Open "
                        "authorizations can be captured"
                    )
                n = (
                    auth.captures.order_by("-attempt").values_list("attempt", flat=True).first()
                    or 0
                ) + 1
                cap = Capture.objects.create(
                    order_reference=oro,
                    authorization=auth,
                    attempt=n,
                    capture_reference_id=reference_id(auth.authorization_reference_id, "C", n),
                    amount=value,
                    currency=auth.currency,
                    seller_note=seller_note,
                    soft_descriptor=soft_descriptor or get_settings().soft_descriptor or "",
                )
    if existing is not None:
        cap = reconcile_capture(existing)
        return CaptureResult(cap, _outcome(cap), auth, repeated=True)
    if reauthorize:
        return _reauthorize_and_capture(auth, value, source, seller_note, soft_descriptor)
    assert cap is not None
    try:
        call_and_apply(cap, _send(cap), _find(cap), reconcile=False, source=source)
    except AmazonRequestError as err:
        # our copy was out of date: the authorization expired at Amazon (spec 3.6 timers)
        if err.amazon_code != "InvalidAuthorizationStatus":
            raise
        from .refreshing import refresh

        auth = refresh(auth, source="reconcile")
        if not (
            renew and _too_old(auth) and auth.order_reference.state == OrderReferenceState.OPEN
        ):
            raise
        return _reauthorize_and_capture(auth, value, source, seller_note, soft_descriptor)
    # reading the authorization back also reconciles a capture whose answer was lost (its id
    # is in the authorization's IdList): read the capture after it, so the result says so
    _mirror_authorization(auth, source)
    cap.refresh_from_db()
    return CaptureResult(cap, _outcome(cap), auth)


def _check(auth: Authorization, amount: Any) -> Decimal:
    available = auth.amount - auth.captured_amount
    if amount is None:
        if available <= 0:
            raise InvalidStateError(f"authorization {auth} has nothing left to capture")
        return available
    value = parse_amount(amount, auth.currency)
    if value > available:
        # spec 3.7: no over-capture of an authorization
        raise AmountExceededError(
            f"{value} {auth.currency} is more than the {available} {auth.currency} "
            f"authorized and not yet captured on {auth}"
        )
    return value


def _mirror_authorization(auth: Authorization, source: str) -> None:
    """A capture closes its authorization (MaxCapturesProcessed, spec 3.4): read it back.

    The closure is recorded with the capture's own source ("admin", "api"): the same action
    caused both, and the timeline should say so once.
    """
    from .refreshing import refresh

    if auth.amazon_authorization_id:
        refresh(auth, source=source)


def _reauthorize_and_capture(
    old: Authorization,
    value: Decimal,
    source: str,
    seller_note: str,
    soft_descriptor: str | None,
) -> CaptureResult:
    from .authorizing import authorize
    from .closing import close_authorization

    if old.state in (AuthorizationState.OPEN, AuthorizationState.PENDING):
        # close first: Amazon counts Open authorizations against the order total (spec 3.7)
        close_authorization(old, reason="re-authorized: past the honour period")
    result = authorize(old.order_reference, amount=value, synchronous=True)
    new = result.authorization
    if result.outcome != "authorized":
        raise InvalidStateError(
            f"authorization {old} is too old to capture and the re-authorization was "
            f"{result.outcome} ({result.reason_code or 'no reason'})"
        )
    captured = _capture(new, value, source, seller_note, soft_descriptor, renew=False)
    captured.reauthorized = True
    captured.message = (
        f"authorization {old} was expired or past the 7-day honour period; "
        f"captured the new authorization {new}"
    )
    return captured
