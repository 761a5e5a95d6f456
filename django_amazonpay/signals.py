"""Signals the host shop can listen to: past facts, sent only after the transaction commits.

Every signal is sent with `send_robust` from a `transaction.on_commit` callback, so a receiver
can neither undo a money fact nor break the request; a failing receiver is logged.

Common kwargs of the state signals:
    sender      the model class (OrderReference, Authorization, Capture or Refund)
    instance    the model instance, as saved
    transition  the StateTransition row that recorded the change
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

from .logs import get_logger

logger = get_logger(__name__)

# -- order reference (spec 3.1) --------------------------------------------------------------
#: became Open (confirmed, or back from Suspended). kwargs: instance, transition
order_reference_opened = Signal()
#: Suspended: the payment method was declined (InvalidPaymentMethod). kwargs: instance, transition
order_reference_suspended = Signal()
#: Closed (by us, by expiry, by Amazon...). kwargs: instance, transition
order_reference_closed = Signal()
#: Canceled (by us, Stale, by Amazon). kwargs: instance, transition
order_reference_canceled = Signal()

# -- authorization (spec 3.3) ----------------------------------------------------------------
#: Open: funds reserved, capturable. kwargs: instance, transition
authorization_opened = Signal()
#: Declined; instance.reason_code says why, instance.soft_decline how hard.
#: kwargs: instance, transition
authorization_declined = Signal()
#: Closed (captured, expired, canceled, closed by us or Amazon). kwargs: instance, transition
authorization_closed = Signal()

# -- capture (spec 3.4) and refund (spec 3.5) --------------------------------------------------
#: Completed: the money will be disbursed. kwargs: instance, transition
capture_completed = Signal()
#: Declined. kwargs: instance, transition
capture_declined = Signal()
#: Completed: the money went back to the buyer. kwargs: instance, transition
refund_completed = Signal()
#: Declined: refund another way. kwargs: instance, transition
refund_declined = Signal()

# -- things the shop should act on ---------------------------------------------------------------
#: An authorization was declined with InvalidPaymentMethod after the buyer left (asynchronous
#: soft decline, spec 3.10): ask the buyer to update the payment method on Amazon; the app
#: re-authorizes when Amazon reports the order reference Open again.
#: kwargs: instance (the OrderReference), authorization, transition
payment_method_update_required = Signal()
#: An Open authorization nears its expiry (sent by the tasks). kwargs: instance (Authorization)
authorization_expiring = Signal()
#: Amazon notified a chargeback (IPN, spec 6.5); the money moves as a Chargeback refund under
#: the capture, imported with it. kwargs: instance (the Capture, or None when it is not ours),
#: chargeback (django_amazonpay.ipn.parsing.ChargebackDetails: id, state, reason, amount)
chargeback_received = Signal()

# -- one signal to check the shop's order again -----------------------------------------------
#: Sent after each of the state signals above: the order reference or one of its
#: authorizations, captures or refunds changed state. The moment for a shop to check again
#: whether its order is paid (services.payment_status; docs/completing-orders.md).
#: kwargs: instance (the OrderReference, read after the change), changed (the object whose
#: state changed, possibly the order reference itself), transition
order_reference_changed = Signal()

#: (object kind, state) -> signal, for services.sync
STATE_SIGNALS: dict[tuple[str, str], Signal] = {
    ("order_reference", "Open"): order_reference_opened,
    ("order_reference", "Suspended"): order_reference_suspended,
    ("order_reference", "Closed"): order_reference_closed,
    ("order_reference", "Canceled"): order_reference_canceled,
    ("authorization", "Open"): authorization_opened,
    ("authorization", "Declined"): authorization_declined,
    ("authorization", "Closed"): authorization_closed,
    ("capture", "Completed"): capture_completed,
    ("capture", "Declined"): capture_declined,
    ("refund", "Completed"): refund_completed,
    ("refund", "Declined"): refund_declined,
}


def _forward_change(sender: type, instance: Any, transition: Any = None, **kwargs: Any) -> None:
    """A state signal, passed on as order_reference_changed (one receiver for a shop)."""
    from .models import OrderReference

    if not order_reference_changed.has_listeners(OrderReference):
        return  # nobody listens: not even the order reference is read
    if isinstance(instance, OrderReference):
        order_reference = OrderReference.objects.get(pk=instance.pk)
    else:
        order_reference = OrderReference.objects.get(pk=instance.order_reference_id)
    for receiver, result in order_reference_changed.send_robust(
        sender=OrderReference, instance=order_reference, changed=instance, transition=transition
    ):
        if isinstance(result, Exception):
            logger.error("Amazon Pay signal receiver %r failed", receiver, exc_info=result)


for _signal in set(STATE_SIGNALS.values()):
    _signal.connect(_forward_change, dispatch_uid="django_amazonpay.order_reference_changed")


def send_after_commit(signal: Signal, sender: type, **kwargs: Any) -> None:
    """Send `signal` robustly once the current transaction commits (at once outside one)."""

    def send() -> None:
        for receiver, result in signal.send_robust(sender=sender, **kwargs):
            if isinstance(result, Exception):
                logger.error("Amazon Pay signal receiver %r failed", receiver, exc_info=result)

    transaction.on_commit(send)
