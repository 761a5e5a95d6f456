"""Close or cancel an order reference, close an authorization (spec 2.4, 3.1, 3.3).

The order reference id is its own idempotency key (spec 3.9); the client resolves a repeat
that finds the object already in the target state. The result is read back from Amazon.
"""

from __future__ import annotations

from ..client import get_client
from ..models import Authorization, OrderReference
from ..mws.errors import MwsError
from ..states import AuthorizationState, CaptureState, OrderReferenceState
from .errors import NO_ANSWER, AmazonRequestError, InvalidStateError, no_answer
from .locking import locked_order_reference


def close_order(
    order_reference: OrderReference, reason: str = "", *, source: str = "api"
) -> OrderReference:
    """CloseOrderReference: Open or Suspended -> Closed. Open authorizations stay capturable.

    `source` ("api" or "admin") is recorded on the transitions the read-back brings.
    """
    from .refreshing import refresh

    with locked_order_reference(order_reference.pk) as oro:
        if oro.state == OrderReferenceState.CLOSED:
            return oro
        if oro.state not in (OrderReferenceState.OPEN, OrderReferenceState.SUSPENDED):
            raise InvalidStateError(f"order reference {oro} is {oro.state}: cannot close")
    try:
        get_client().close_order_reference(oro.amazon_order_reference_id, reason=reason or None)
    except NO_ANSWER as err:
        # the refresh tells what happened; still Open means it did not: the caller repeats
        oro = refresh(oro, source=source)
        if oro.state != OrderReferenceState.CLOSED:
            raise no_answer(err) from err
        return oro
    except MwsError as err:
        raise AmazonRequestError(err) from err
    return refresh(oro, source=source)


def cancel_order(
    order_reference: OrderReference, reason: str = "", *, source: str = "api"
) -> OrderReference:
    """CancelOrderReference: Open or Suspended with no capture -> Canceled (spec 2.4)."""
    from .refreshing import refresh

    with locked_order_reference(order_reference.pk) as oro:
        if oro.state == OrderReferenceState.CANCELED:
            return oro
        if oro.state not in (OrderReferenceState.OPEN, OrderReferenceState.SUSPENDED):
            raise InvalidStateError(f"order reference {oro} is {oro.state}: cannot cancel")
        if oro.captures.filter(
            state__in=(CaptureState.PENDING, CaptureState.COMPLETED, CaptureState.CLOSED)
        ).exists():
            raise InvalidStateError(
                f"order reference {oro} has captures: close it instead of canceling"
            )
    try:
        get_client().cancel_order_reference(oro.amazon_order_reference_id, reason=reason or None)
    except NO_ANSWER as err:
        if refresh(oro, source=source).state != OrderReferenceState.CANCELED:
            raise no_answer(err) from err
    except MwsError as err:
        raise AmazonRequestError(err) from err
    oro = refresh(oro, source=source)
    # spec 2.4: canceling closes every authorization (OrderReferenceCanceled)
    for auth in oro.authorizations.filter(state__in=("Pending", "Open")):
        refresh(auth, source=source)
    return oro


def close_authorization(
    authorization: Authorization, reason: str = "", *, source: str = "api"
) -> Authorization:
    """CloseAuthorization: Pending/Open -> Closed (SellerClosed), releasing the funds."""
    from .refreshing import refresh

    with locked_order_reference(authorization.order_reference_id):
        auth = Authorization.objects.get(pk=authorization.pk)
        if auth.state == AuthorizationState.CLOSED:
            return auth
        if auth.state not in (AuthorizationState.PENDING, AuthorizationState.OPEN):
            raise InvalidStateError(f"authorization {auth} is {auth.state or 'unknown'}")
    try:
        get_client().close_authorization(auth.amazon_authorization_id, reason=reason or None)
    except NO_ANSWER as err:
        auth = refresh(auth, source=source)
        if auth.state != AuthorizationState.CLOSED:
            raise no_answer(err) from err
        return auth
    except MwsError as err:
        raise AmazonRequestError(err) from err
    return refresh(auth, source=source)
