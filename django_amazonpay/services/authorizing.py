"""Authorize, with the decline handling of spec 3.10, and re-authorization after a reopen."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from ..amounts import Amount
from ..client import get_client
from ..conf import get_settings
from ..models import Authorization, Capture, OrderReference
from ..states import AttemptState, AuthorizationState, OrderReferenceState, ReasonCode
from .attempts import IN_FLIGHT, call_and_apply, check_notes, parse_amount, reference_id
from .errors import AmountExceededError, InvalidStateError, LimitReachedError
from .locking import locked_order_reference

MAX_AUTHORIZATIONS = 10  # spec 3.7
ASYNC_TIMEOUT = 1440  # minutes, Amazon's default (spec 2.4 Authorize)

#: next_action values
NONE = "none"
CHOOSE_ANOTHER_PAYMENT_METHOD = "choose_another_payment_method"
PAY_ANOTHER_WAY = "pay_another_way"
RETRY = "retry"


@dataclass
class AuthorizationResult:
    """What `authorize` did.

    outcome: "authorized" (Open), "pending" (asynchronous), "captured" (CaptureNow),
    "declined", or "in_doubt" (no answer; the next call reconciles it).
    next_action: "none" | "choose_another_payment_method" | "pay_another_way" | "retry".
    """

    authorization: Authorization
    outcome: str
    next_action: str = NONE
    reason_code: str = ""
    soft_decline: bool | None = None
    #: True when an existing authorization was returned instead of making a new one
    repeated: bool = False
    capture: Capture | None = None
    #: earlier declined attempts of this call (ProcessingFailure retries, timed-out sync)
    previous: list[Authorization] = field(default_factory=list)


def _outcome(auth: Authorization) -> str:
    if auth.attempt_state in IN_FLIGHT:
        return "in_doubt"
    if auth.state == AuthorizationState.PENDING:
        return "pending"
    if auth.state == AuthorizationState.OPEN:
        return "authorized"
    if auth.state == AuthorizationState.CLOSED and auth.reason_code == "MaxCapturesProcessed":
        return "captured"
    if auth.state == AuthorizationState.DECLINED:
        return "declined"
    return "closed"


def _result(
    auth: Authorization, *, repeated: bool = False, fresh: bool = False
) -> AuthorizationResult:
    """`fresh`: Amazon answered for `auth` in this call, so only CaptureNow can have captured it."""
    outcome = _outcome(auth)
    next_action = {"in_doubt": RETRY, "declined": RETRY}.get(outcome, NONE)
    # nothing to look up: a declined authorization is never captured, one in doubt has no
    # Amazon id to capture (spec 3.3, 3.4)
    uncaptured = outcome in ("in_doubt", "declined") or (fresh and outcome == "authorized")
    done = auth.captures.filter(attempt_state=AttemptState.DONE)
    return AuthorizationResult(
        authorization=auth,
        outcome=outcome,
        next_action=next_action,
        reason_code=auth.reason_code,
        soft_decline=auth.soft_decline,
        repeated=repeated,
        capture=None if uncaptured else done.first(),
    )


def authorizable(oro: OrderReference, authorizations: list[Authorization] | None = None) -> Decimal:
    """Order total minus what is captured or still held by Pending/Open authorizations.

    `authorizations`: all of `oro`'s, when the caller has read them already.
    """
    if authorizations is None:
        authorizations = list(oro.authorizations.all())
    held = sum(
        (
            auth.amount
            for auth in authorizations
            if auth.attempt_state != AttemptState.FAILED and auth.state in ("Pending", "Open", "")
        ),
        Decimal("0"),
    )
    captured: Decimal | int = 0
    if authorizations:  # a capture belongs to one of them: without any, nothing to sum
        captured = (
            Capture.objects.filter(
                order_reference=oro, state__in=("Pending", "Completed", "Closed")
            ).aggregate(s=Sum("amount"))["s"]
            or 0
        )
    return oro.amount - held - captured


def _send(auth: Authorization) -> Any:
    return lambda: get_client().authorize(
        auth.order_reference.amazon_order_reference_id,
        authorization_reference_id=auth.authorization_reference_id,
        amount=Amount(auth.amount, auth.currency),
        transaction_timeout=auth.transaction_timeout,
        capture_now=auth.capture_now,
        seller_authorization_note=auth.seller_note or None,
        soft_descriptor=auth.soft_descriptor or None,
    )


def _find(auth: Authorization) -> Any:
    return lambda: get_client().find_authorization(
        auth.order_reference.amazon_order_reference_id, auth.authorization_reference_id
    )


def reconcile_authorization(auth: Authorization) -> Authorization:
    """Settle an in-flight attempt: look it up by reference id, else re-send the same id."""
    call_and_apply(auth, _send(auth), _find(auth), reconcile=True)  # leaves `auth` as stored
    return auth


def authorize(
    order_reference: OrderReference,
    *,
    amount: Decimal | str | int | None = None,
    synchronous: bool | None = None,
    capture_now: bool | None = None,
    seller_note: str = "",
    soft_descriptor: str | None = None,
) -> AuthorizationResult:
    """Authorize (part of) the order total; idempotent while an authorization is active.

    A Pending/Open authorization, or one in flight, is returned (reconciled first) instead
    of a second one. Declines follow spec 3.10; see AuthorizationResult.next_action.
    """
    check_notes(seller_note, soft_descriptor)
    settings = get_settings()
    sync = settings.transaction_timeout == 0 if synchronous is None else synchronous
    timeout = 0 if sync else (settings.transaction_timeout or ASYNC_TIMEOUT)
    capture_now = settings.capture_now if capture_now is None else capture_now
    with locked_order_reference(order_reference.pk) as oro:
        # read once under the lock: every decision below is about this list (oldest first)
        auths = list(oro.authorizations.all())
        existing = next((a for a in auths if a.attempt_state in IN_FLIGHT), None)
        if existing is None:
            active = next(
                (
                    a
                    for a in auths
                    if a.attempt_state == AttemptState.DONE and a.state in ("Pending", "Open")
                ),
                None,
            )
            if active is not None:
                return _result(active, repeated=True)
            auth = _new_attempt(
                oro, auths, amount, timeout, capture_now, seller_note, soft_descriptor
            )
    if existing is not None:
        return _result(reconcile_authorization(existing), repeated=True)
    call_and_apply(auth, _send(auth), _find(auth), reconcile=False)  # leaves `auth` as stored
    return _handle_answer(oro, auth, sync=sync, capture_now=capture_now)


def _new_attempt(
    oro: OrderReference,
    auths: list[Authorization],
    amount: Any,
    timeout: int,
    capture_now: bool,
    seller_note: str,
    soft_descriptor: str | None,
) -> Authorization:
    if oro.state == OrderReferenceState.SUSPENDED:
        raise InvalidStateError(
            f"order reference {oro} is Suspended: the buyer must choose another payment "
            "method, then confirm again (spec 3.10)"
        )
    if oro.state != OrderReferenceState.OPEN:
        raise InvalidStateError(f"order reference {oro} is {oro.state or 'unknown'}: not Open")
    remaining = authorizable(oro, auths)
    if amount is None:
        if remaining <= 0:
            raise InvalidStateError(f"order reference {oro} has nothing left to authorize")
        value = remaining
    else:
        value = parse_amount(amount, oro.currency)
        # the ORO allowance for authorizations is **unconfirmed** (spec 3.7): total + min(15%, cap)
        allowance = get_settings().region.allowance(oro.amount)
        if value > remaining + allowance:
            raise AmountExceededError(
                f"{value} {oro.currency} is more than the {remaining} {oro.currency} left to "
                f"authorize on {oro} (+{allowance} allowance)"
            )
    live = [a for a in auths if a.attempt_state != AttemptState.FAILED and a.state != "Declined"]
    if len(live) >= MAX_AUTHORIZATIONS:
        raise LimitReachedError(
            f"order reference {oro} already has {MAX_AUTHORIZATIONS} authorizations"
        )
    n = max((a.attempt for a in auths), default=0) + 1
    if oro.payment_method_update_required:
        oro.payment_method_update_required = False
        oro.save(update_fields=["payment_method_update_required", "updated_at"])
    return Authorization.objects.create(
        order_reference=oro,
        attempt=n,
        authorization_reference_id=reference_id(oro.amazon_order_reference_id, "A", n),
        amount=value,
        currency=oro.currency,
        transaction_timeout=timeout,
        capture_now=capture_now,
        seller_note=seller_note,
        soft_descriptor=soft_descriptor or "",
    )


def _handle_answer(
    oro: OrderReference, auth: Authorization, *, sync: bool, capture_now: bool
) -> AuthorizationResult:
    from .refreshing import refresh

    result = _result(auth, fresh=True)
    if result.outcome == "captured":
        # adopts the capture from the IdList (spec 3.8); the row as stored afterwards
        auth = refresh(auth, source="response")
        return _result(auth)
    if result.outcome != "declined":
        return result
    reason = auth.reason_code
    # the order reference changed with the decline (spec 3.10): mirror it
    refresh(oro, source="response")
    oro.refresh_from_db()
    if reason == ReasonCode.INVALID_PAYMENT_METHOD:
        result.next_action = CHOOSE_ANOTHER_PAYMENT_METHOD
    elif reason == ReasonCode.AMAZON_REJECTED:
        result.next_action = PAY_ANOTHER_WAY
    elif reason == ReasonCode.TRANSACTION_TIMED_OUT and sync:
        if get_settings().on_transaction_timed_out == "retry_async":
            retried = authorize(oro, amount=auth.amount, synchronous=False, capture_now=capture_now)
            retried.previous.insert(0, auth)
            return retried
        from .closing import cancel_order

        cancel_order(oro, reason="authorization timed out")
        result.next_action = PAY_ANOTHER_WAY
    elif reason == ReasonCode.PROCESSING_FAILURE:
        failures = oro.authorizations.filter(reason_code=ReasonCode.PROCESSING_FAILURE).count()
        if failures <= get_settings().processing_failure_retries and oro.state == "Open":
            retried = authorize(oro, amount=auth.amount, synchronous=sync, capture_now=capture_now)
            retried.previous.insert(0, auth)
            return retried
        result.next_action = RETRY
    return result


def handle_order_reference_reopened(order_reference: OrderReference) -> AuthorizationResult | None:
    """Re-authorize after an asynchronous soft decline once Amazon reports the order reference
    Open again (spec 3.10: the buyer fixed the payment method on Amazon's site).

    Called by refresh and the IPN processing; does nothing unless a re-authorization is due.
    """
    with locked_order_reference(order_reference.pk) as oro:
        if not oro.payment_method_update_required or oro.state != OrderReferenceState.OPEN:
            return None
        declined = (
            oro.authorizations.filter(state=AuthorizationState.DECLINED)
            .order_by("-attempt")
            .first()
        )
    amount = declined.amount if declined is not None else None
    return authorize(oro, amount=amount, synchronous=False)
