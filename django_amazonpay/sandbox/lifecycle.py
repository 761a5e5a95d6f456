"""State transitions shared by the operations and the timers (spec 3).

`EngineCore` owns the store, looks objects up with Amazon's errors, changes states (queuing
IPNs), runs timers and applies the side effects of declines, captures and refunds. The
operations on top of it live in engine.py.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..regions import Region
from . import render
from .clock import Clock
from .errors import SimulatorError
from .objects import Authorization, Capture, OrderReference, Refund, Status
from .rules import (
    AUTH_EXPIRY,
    DRAFT_LIFETIME,
    MAX_CAPTURED_AUTHORIZATIONS,
    MAX_REFUNDS_PER_CAPTURE,
    ORO_LIFETIME,
    PAYMENT_METHODS_BY_ID,
    SYNC_CAPTURE_WINDOW,
)
from .simulation import Simulation, parse
from .store import Store


@dataclass(frozen=True)
class EngineSettings:
    async_authorization_seconds: float = 30.0  # JP docs: 30 s Pending (spec 3.3)
    refund_seconds: float = 31.0  # spec 3.6: sandbox ≈ 31 s
    pending_capture_seconds: float = 3600.0  # spec 2.4: "an hour or more"
    notify_all_changes: bool = False  # IPN on every state change, not only asynchronous ones
    #: ids are deterministic from this seed (tests). None: a random seed at every start, reset
    #: and state load, for long-lived simulators whose ids must not repeat what a previous run
    #: issued (a shop's database keeps them across restarts).
    id_seed: int | None = 0
    #: what follows "AMZ*" in a default SoftDescriptor (seed 000: 旅食, the Seller Central
    #: name); None: the ORO's StoreName, else the seller id
    soft_descriptor: str | None = None


@dataclass(frozen=True)
class Notification:
    notification_type: (
        str  # OrderReferenceNotification | PaymentAuthorize | PaymentCapture | PaymentRefund
    )
    data_xml: str
    environment: str  # "Sandbox" | "Live"
    object_id: str


_ORO_ID = re.compile(r"[SP]\d{2}-\d{7}-\d{7}")
_TXN_ID = re.compile(r"([SP]\d{2}-\d{7}-\d{7})-([ACR])(\d{6})")
_COUNTING_CAPTURE_STATES = ("Completed", "Closed")


def status_error(kind: str, object_id: str, state: str, action: str) -> SimulatorError:
    # 405 for InvalidOrderReferenceStatus is [spec: unconfirmed] (spec 4); message wording ours
    return SimulatorError(
        f"Invalid{kind}Status",
        f"{kind} {object_id} is in state {state}; {action} is not allowed in this state.",
        405,
    )


def not_modifiable(order_id: str) -> SimulatorError:
    return SimulatorError(
        "OrderReferenceNotModifiable",
        f"OrderReference {order_id} is not in draft state and cannot be modified with the "
        "request submitted by you.",
        405,
    )


class EngineCore:
    def __init__(
        self,
        *,
        seller_id: str,
        region: Region,
        clock: Clock,
        settings: EngineSettings | None = None,
        notify: Callable[[Notification], None] | None = None,
    ) -> None:
        self.seller_id = seller_id
        self.region = region
        self.clock = clock
        self.settings = settings or EngineSettings()
        self._notify = notify
        self._lock = threading.RLock()
        self._outbox: list[Notification] = []
        self.store = Store(self.settings.id_seed)

    # -- notifications ------------------------------------------------------------------------
    def _flush(self) -> None:
        """Deliver queued IPNs outside the lock, so a callback may call back into the engine."""
        with self._lock:
            pending, self._outbox = self._outbox, []
        if self._notify is not None:
            for notification in pending:
                self._notify(notification)

    def _queue(self, obj: OrderReference | Authorization | Capture | Refund) -> None:
        """Render the object's notification now: later changes must not leak into it."""
        if isinstance(obj, OrderReference):
            kind, root, inner, env = (
                "OrderReferenceNotification",
                "OrderReferenceNotification",
                render.order_reference_ipn(obj, self.seller_id),
                obj.environment,
            )
        elif isinstance(obj, Authorization):
            kind, root = "PaymentAuthorize", "AuthorizationNotification"
            inner = render.authorization_details(obj, self.captured(obj), ipn=True)
            env = self.store.orders[obj.order_reference_id].environment
        elif isinstance(obj, Capture):
            kind, root = "PaymentCapture", "CaptureNotification"
            inner = render.capture_details(obj, self.refunded(obj), ipn=True)
            env = self.store.orders[obj.order_reference_id].environment
        else:
            kind, root = "PaymentRefund", "RefundNotification"
            inner = render.refund_details(obj, ipn=True)
            env = self.store.orders[obj.order_reference_id].environment
        self._outbox.append(Notification(kind, render.notification_data(root, inner), env, obj.id))

    def change(
        self,
        obj: OrderReference | Authorization | Capture | Refund,
        state: str,
        reason: str | None = None,
        description: str | None = None,
        *,
        at: datetime,
        notify: bool,
    ) -> None:
        """Set a status; `notify` marks an asynchronous change (spec 6.4), always sent."""
        obj.status = Status(state, at, reason, description)
        if notify or self.settings.notify_all_changes:
            self._queue(obj)

    def _simulation(self, note: str | None, field: str, environment: str) -> Simulation | None:
        # spec 5: only the sandbox path reads simulation strings
        return parse(note, field) if environment == "Sandbox" else None

    # -- lookups with Amazon's errors -----------------------------------------------------------
    def _check_environment(self, object_id: str, environment: str) -> None:
        # spec 1.1/4: a sandbox id on the production path (or vice versa) -> InternalServerError
        expected = "S" if environment == "Sandbox" else "P"
        if object_id[:1] in ("S", "P") and object_id[:1] != expected:
            raise SimulatorError(
                "InternalServerError",
                "There was an unknown error in the service.",  # wording [spec: unconfirmed]
                500,
                "Receiver",
            )

    def order(self, order_id: str, environment: str) -> OrderReference:
        self._check_environment(order_id, environment)
        oro = self.store.orders.get(order_id) if _ORO_ID.fullmatch(order_id) else None
        if oro is None:
            raise SimulatorError(
                "InvalidOrderReferenceId", f"The OrderReferenceId {order_id} is invalid.", 404
            )
        return oro

    def transaction(self, txn_id: str, letter: str, environment: str) -> Any:
        """An authorization (A), capture (C) or refund (R); any other id: InvalidTransactionId."""
        self._check_environment(txn_id, environment)
        match = _TXN_ID.fullmatch(txn_id)
        table = {
            "A": self.store.authorizations,
            "C": self.store.captures,
            "R": self.store.refunds,
        }[letter]
        obj = table.get(txn_id) if match and match.group(2) == letter else None
        if obj is None:
            # 404 [spec: unconfirmed] (spec 4)
            raise SimulatorError(
                "InvalidTransactionId", f"The TransactionId {txn_id} is invalid.", 404
            )
        return obj

    # -- running totals -------------------------------------------------------------------------
    def captured(self, auth: Authorization) -> Decimal:
        return sum(
            (
                c.amount
                for c in map(self.store.captures.__getitem__, auth.capture_ids)
                if c.status.state in _COUNTING_CAPTURE_STATES
            ),
            Decimal(0),
        )

    def charged(self, auth: Authorization) -> Decimal:
        """Captured or being captured: every capture that was not declined."""
        return sum(
            (
                c.amount
                for c in map(self.store.captures.__getitem__, auth.capture_ids)
                if c.status.state != "Declined"
            ),
            Decimal(0),
        )

    def refunded(self, cap: Capture) -> Decimal:
        return sum(
            (
                r.amount
                for r in map(self.store.refunds.__getitem__, cap.refund_ids)
                if r.status.state == "Completed"
            ),
            Decimal(0),
        )

    def authorizations_of(self, oro: OrderReference) -> list[Authorization]:
        return [self.store.authorizations[a] for a in oro.authorization_ids]

    def method_outcome(self, oro: OrderReference) -> dict | None:
        return PAYMENT_METHODS_BY_ID.get(oro.payment_method or "")

    def constraints(self, oro: OrderReference) -> list[str]:
        """Open constraints of a Draft ORO (spec 3.2)."""
        found = []
        if not oro.address:
            found.append("ShippingAddressNotSet")
        if not oro.payment_method:
            found.append("PaymentPlanNotSet")
        if oro.order_total is None:
            found.append("AmountNotSet")
        method = self.method_outcome(oro)
        if oro.simulated_constraint or (method and method["outcome"] == "PaymentMethodNotAllowed"):
            found.append("PaymentMethodNotAllowed")
        return found

    def default_soft_descriptor(self, oro: OrderReference) -> str:
        name = self.settings.soft_descriptor or oro.store_name or self.seller_id
        return "AMZ*" + name[:12].strip()  # <= 16 characters (spec 2.4)

    # -- timers ---------------------------------------------------------------------------------
    def run_timers(self) -> None:
        now = self.clock.now()
        while (item := self.store.pop_due(now)) is not None:
            due, kind, object_id = item
            getattr(self, f"_timer_{kind}")(object_id, due)

    def _timer_draft_stale(self, order_id: str, at: datetime) -> None:
        oro = self.store.orders[order_id]
        if oro.status.state == "Draft":
            self.change(oro, "Canceled", "Stale", at=at, notify=True)

    def _timer_order_expired(self, order_id: str, at: datetime) -> None:
        oro = self.store.orders[order_id]
        if oro.status.state in ("Open", "Suspended"):
            self.change(oro, "Closed", "Expired", at=at, notify=True)

    def _timer_payment_method_updated(self, order_id: str, at: datetime) -> None:
        # spec 5: PaymentMethodUpdateTimeInMins, as if the buyer had fixed the wallet on Amazon
        oro = self.store.orders[order_id]
        if oro.status.state == "Suspended":
            self.change(oro, "Open", at=at, notify=True)

    def _timer_immediate_authorization(self, order_id: str, at: datetime) -> None:
        # spec 2.4 ExpectImmediateAuthorization; reason code [spec: unconfirmed]
        oro = self.store.orders[order_id]
        if oro.status.state == "Open" and not oro.authorization_ids:
            self.change(oro, "Closed", "AmazonClosed", at=at, notify=True)

    def _timer_authorization_settles(self, auth_id: str, at: datetime) -> None:
        auth = self.store.authorizations[auth_id]
        if auth.status.state == "Pending":
            self.settle_authorization(auth, at, notify=True)

    def _timer_authorization_expires(self, auth_id: str, at: datetime) -> None:
        auth = self.store.authorizations[auth_id]
        if auth.status.state == "Open":
            self.change(auth, "Closed", "ExpiredUnused", at=at, notify=True)

    def _timer_capture_settles(self, capture_id: str, at: datetime) -> None:
        cap = self.store.captures[capture_id]
        if cap.status.state == "Pending":
            self.change(cap, cap.planned_state, cap.planned_reason, at=at, notify=True)
            self.after_capture(cap, at)

    def _timer_refund_settles(self, refund_id: str, at: datetime) -> None:
        ref = self.store.refunds[refund_id]
        if ref.status.state != "Pending":
            return
        self.change(ref, ref.planned_state, ref.planned_reason, at=at, notify=True)
        cap = self.store.captures[ref.capture_id]
        if ref.planned_state != "Completed" or cap.status.state != "Completed":
            return
        completed = [r for r in cap.refund_ids if self.store.refunds[r].status.state == "Completed"]
        if self.refunded(cap) >= cap.amount + self.region.allowance(cap.amount):
            self.change(cap, "Closed", "MaxAmountRefunded", at=at, notify=True)
        elif len(completed) >= MAX_REFUNDS_PER_CAPTURE:
            self.change(cap, "Closed", "MaxRefundsProcessed", at=at, notify=True)

    def schedule_order_timers(self, oro: OrderReference) -> None:
        self.store.schedule(oro.created + DRAFT_LIFETIME, "draft_stale", oro.id)
        self.store.schedule(oro.created + ORO_LIFETIME, "order_expired", oro.id)

    # -- authorizations -------------------------------------------------------------------------
    def settle_authorization(self, auth: Authorization, at: datetime, *, notify: bool) -> None:
        """Pending (or new synchronous) -> its planned outcome, with the side effects."""
        oro = self.store.orders[auth.order_reference_id]
        if auth.planned_state == "Open" and auth.capture_now:
            self.change(auth, "Open", at=at, notify=False)
            self.create_capture(auth, auth.reference_id, auth.amount, None, None, None, at, True)
            if notify and not self.settings.notify_all_changes:
                self._queue(auth)
            return
        self.change(auth, auth.planned_state, auth.planned_reason, at=at, notify=notify)
        if auth.planned_state == "Open":
            delay = (
                timedelta(minutes=auth.expire_minutes)
                if auth.expire_minutes is not None
                else AUTH_EXPIRY.get(oro.environment, AUTH_EXPIRY["Sandbox"])
            )
            self.store.schedule(at + delay, "authorization_expires", auth.id)
        elif auth.planned_state == "Declined":
            self._decline_effects(oro, auth, at)

    def _decline_effects(self, oro: OrderReference, auth: Authorization, at: datetime) -> None:
        """spec 3.10: what a decline does to the order reference."""
        if oro.status.state != "Open":
            return
        if auth.planned_reason == "InvalidPaymentMethod":
            oro.payment_method_updated = False
            self.change(oro, "Suspended", "InvalidPaymentMethod", at=at, notify=True)
            if auth.update_minutes is not None:
                self.store.schedule(
                    at + timedelta(minutes=auth.update_minutes), "payment_method_updated", oro.id
                )
        elif auth.planned_reason == "AmazonRejected":
            # spec 3.1: "automatically Closed"; reason AmazonClosed [spec: unconfirmed]
            self.change(oro, "Closed", "AmazonClosed", at=at, notify=True)

    # -- captures -------------------------------------------------------------------------------
    def create_capture(
        self,
        auth: Authorization,
        reference_id: str,
        amount: Decimal,
        note: str | None,
        soft_descriptor: str | None,
        simulation: Simulation | None,
        at: datetime,
        capture_now: bool = False,
    ) -> Capture:
        oro = self.store.orders[auth.order_reference_id]
        digits = auth.id[-6:]
        cap_id = f"{oro.id}-C{digits}"
        if cap_id in self.store.captures:
            # a retry after a declined capture: the observed "same digits" rule cannot hold
            taken = {c[-6:] for a in self.authorizations_of(oro) for c in a.capture_ids}
            cap_id = f"{oro.id}-C{self.store.new_digits(taken)}"
        cap = Capture(
            id=cap_id,
            authorization_id=auth.id,
            order_reference_id=oro.id,
            reference_id=reference_id,
            amount=amount,
            currency=auth.currency,
            created=at,
            status=Status("Pending", at),
            note=note,
            soft_descriptor=(
                "AMZ*" + soft_descriptor if soft_descriptor else self.default_soft_descriptor(oro)
            ),
        )
        self.store.captures[cap.id] = cap
        auth.capture_ids.append(cap.id)
        sim_state = simulation.state if simulation else None
        late = at - auth.created > SYNC_CAPTURE_WINDOW
        if sim_state == "Declined":
            # spec 3.4: the authorization stays Open, a retry is possible
            self.change(cap, "Declined", simulation.reason_code, at=at, notify=capture_now)
            return cap
        # one capture per authorization, whatever its amount (spec 2.4 Capture)
        self.change(auth, "Closed", "MaxCapturesProcessed", at=at, notify=False)
        if sim_state == "Pending" or late:
            # simulated Pending lasts the pending-capture delay (spec 5: [spec: unconfirmed])
            self.change(cap, "Pending", at=at, notify=capture_now)
            self.store.schedule(
                at + timedelta(seconds=self.settings.pending_capture_seconds),
                "capture_settles",
                cap.id,
            )
        elif sim_state == "Closed":
            self.change(cap, "Closed", simulation.reason_code, at=at, notify=capture_now)
            self.after_capture(cap, at)
        else:
            # spec 3.8: CaptureNow's capture is followed by a PaymentCapture IPN
            self.change(cap, "Completed", at=at, notify=capture_now)
            self.after_capture(cap, at)
        return cap

    def after_capture(self, cap: Capture, at: datetime) -> None:
        """spec 3.1/3.7: MaxAmountCharged and MaxAuthorizationsCaptured close the ORO."""
        if cap.status.state not in _COUNTING_CAPTURE_STATES:
            return
        oro = self.store.orders[cap.order_reference_id]
        if oro.status.state not in ("Open", "Suspended") or oro.order_total is None:
            return
        auths = self.authorizations_of(oro)
        total = sum((self.captured(a) for a in auths), Decimal(0))
        if total >= oro.order_total + self.region.allowance(oro.order_total):
            self.change(oro, "Closed", "MaxAmountCharged", at=at, notify=True)
        elif sum(1 for a in auths if self.captured(a) > 0) >= MAX_CAPTURED_AUTHORIZATIONS:
            self.change(oro, "Closed", "MaxAuthorizationsCaptured", at=at, notify=True)
