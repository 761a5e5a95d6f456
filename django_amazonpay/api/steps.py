"""What the storefront should do next, decided from the mirrored state (one table, here).

next_action values:
  set_order                      send the shop's order id (POST .../order/)
  choose_address                 the buyer must pick a shipping address in the address book
  choose_payment_method          the buyer must pick a payment method in the wallet
  confirm                        everything is set: POST .../confirm/
  choose_another_payment_method  declined with InvalidPaymentMethod: show the wallet again,
                                 then POST .../reconfirm/ (spec 3.10)
  wait                           the authorization is pending: poll GET .../payment/
  retry                          no definite answer or a processing failure: POST the step again
  pay_another_way                Amazon rejected the payment: offer another payment method
  complete                       the order is placed: show the order-complete page
  start_over                     the checkout is over (canceled or closed unpaid)
"""

from __future__ import annotations

from typing import Any

from ..conf import get_settings
from ..models import Authorization, OrderReference
from ..states import AuthorizationState, OrderReferenceState, ReasonCode

NEXT_ACTIONS = (
    "set_order",
    "choose_address",
    "choose_payment_method",
    "confirm",
    "choose_another_payment_method",
    "wait",
    "retry",
    "pay_another_way",
    "complete",
    "start_over",
)

#: constraint id (spec 3.2) -> what the buyer must do
_CONSTRAINT_ACTIONS = {
    "ShippingAddressNotSet": "choose_address",
    "PaymentMethodNotAllowed": "choose_payment_method",
    "PaymentPlanNotSet": "choose_payment_method",
    "AmountNotSet": "set_order",
}

#: AuthorizationResult.next_action -> ours
_SERVICE_ACTIONS = {
    "choose_another_payment_method": "choose_another_payment_method",
    "pay_another_way": "pay_another_way",
    "retry": "retry",
}


def latest_authorization(oro: OrderReference) -> Authorization | None:
    return oro.authorizations.order_by("-attempt", "-id").first()


#: "not read yet": an argument saying the caller has no latest authorization at hand
UNREAD: Any = object()


def next_action(
    oro: OrderReference,
    constraints: list[str] | None = None,
    *,
    authorization: Authorization | None = UNREAD,
) -> str:
    """The storefront's next step for `oro` (constraints: ids from a live read, if any).

    `authorization`: the latest one when the caller has already read it (saves a query).
    """
    state = oro.state
    if state == OrderReferenceState.DRAFT:
        for constraint in constraints or ():
            if constraint in _CONSTRAINT_ACTIONS:
                return _CONSTRAINT_ACTIONS[constraint]
        return "confirm" if oro.amount > 0 and oro.seller_order_id else "set_order"
    if state == OrderReferenceState.SUSPENDED:
        return "choose_another_payment_method"
    auth = latest_authorization(oro) if authorization is UNREAD else authorization
    if state == OrderReferenceState.OPEN:
        if oro.payment_method_update_required:
            return "choose_another_payment_method"
        if auth is None:
            return "confirm" if get_settings().authorize_on_confirm else "complete"
        return authorization_action(auth)
    if state == OrderReferenceState.CLOSED and auth is not None:
        action = authorization_action(auth)
        return action if action in ("complete", "pay_another_way") else "start_over"
    return "start_over"


def authorization_action(auth: Authorization) -> str:
    if auth.attempt_state in ("requesting", "in_doubt"):
        return "retry"
    if auth.state == AuthorizationState.PENDING:
        return "wait"
    if auth.state == AuthorizationState.OPEN:
        return "complete"
    if auth.state == AuthorizationState.CLOSED:
        return "complete" if auth.captured_amount > 0 else "start_over"
    if auth.state == AuthorizationState.DECLINED:
        if auth.reason_code == ReasonCode.INVALID_PAYMENT_METHOD:
            return "choose_another_payment_method"
        if auth.reason_code == ReasonCode.AMAZON_REJECTED:
            return "pay_another_way"
        return "retry"
    return "retry"


def result_action(service_action: str, outcome: str) -> str:
    """Map services.AuthorizationResult (next_action, outcome) to ours."""
    if service_action in _SERVICE_ACTIONS:
        return _SERVICE_ACTIONS[service_action]
    return "wait" if outcome == "pending" else "complete"


def wallet_mode(oro: OrderReference) -> str:
    """ "edit" before confirm and after InvalidPaymentMethod, "read" once confirmed."""
    if oro.state == OrderReferenceState.DRAFT:
        return "edit"
    if oro.state == OrderReferenceState.SUSPENDED or oro.payment_method_update_required:
        return "edit"
    return "read"


def payment_outcome(auth: Authorization | None) -> str:
    """none, in_doubt, pending, authorized, captured, declined or closed."""
    if auth is None:
        return "none"
    if auth.attempt_state in ("requesting", "in_doubt"):
        return "in_doubt"
    if auth.state == AuthorizationState.PENDING:
        return "pending"
    if auth.state == AuthorizationState.OPEN:
        return "captured" if auth.captured_amount > 0 else "authorized"
    if auth.state == AuthorizationState.DECLINED:
        return "declined"
    return "captured" if auth.captured_amount > 0 else "closed"
