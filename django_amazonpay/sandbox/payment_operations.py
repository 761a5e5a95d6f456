"""Authorize, Capture and Refund operations of the payment engine (spec 2.4, 3.3-3.9)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from . import render
from .errors import SimulatorError
from .lifecycle import EngineCore, status_error
from .objects import Authorization, OrderReference, Refund, Status
from .params import Params
from .rules import (
    MAX_AUTHORIZATIONS,
    MAX_REFUNDS_PER_CAPTURE,
)
from .simulation import Simulation


class PaymentOperations(EngineCore):
    """Handlers `(params, environment) -> result XML` for Authorize, Capture and Refund."""

    def _replay(self, action: str, reference_id: str, params: Params) -> str | None:
        """spec 3.9: the object of an earlier identical request, or DuplicateRequest."""
        entry = self.store.references.get(reference_id)
        if entry is None:
            return None
        first_action, fingerprint, object_id = entry
        if first_action != action:
            # where Amazon draws this line is [spec: unconfirmed] (spec 3.9)
            raise SimulatorError(
                "DuplicateReferenceId",
                f"The reference id {reference_id} has already been used by another request.",
            )
        if fingerprint != params.fingerprint():
            raise SimulatorError(
                "DuplicateRequest",
                f"The reference id {reference_id} was already used with different parameters.",
            )
        return object_id

    def _remember(self, action: str, reference_id: str, params: Params, object_id: str) -> None:
        self.store.references[reference_id] = (action, params.fingerprint(), object_id)

    def _auth_xml(self, auth: Authorization, captured: Decimal | None = None) -> str:
        return render.authorization_details(
            auth, self.captured(auth) if captured is None else captured
        )

    # == authorizations ==========================================================================
    def _authorize(self, p: Params, env: str) -> str:
        order_id = p.required("AmazonOrderReferenceId")
        reference_id = p.reference_id("AuthorizationReferenceId")
        amount = p.amount("AuthorizationAmount", self.region, max_code="TransactionAmountExceeded")
        note = p.text("SellerAuthorizationNote", 255)
        timeout = p.transaction_timeout()
        capture_now = p.boolean("CaptureNow", False)
        soft_descriptor = p.text("SoftDescriptor", 16)
        oro = self.order(order_id, env)
        replayed = self._replay("Authorize", reference_id, p)
        if replayed is not None:
            return self._auth_xml(self.store.authorizations[replayed])
        if oro.status.state != "Open":
            raise status_error("OrderReference", oro.id, oro.status.state, "Authorize")
        simulation = self._simulation(note, "authorize", env)
        auths = self.authorizations_of(oro)
        live = [a for a in auths if a.status.state != "Declined"]
        if len(live) >= MAX_AUTHORIZATIONS:
            # 400 and the counting rule [spec: unconfirmed] (spec 3.7)
            raise SimulatorError(
                "TransactionCountExceeded",
                f"OrderReference {oro.id} has reached the maximum number of authorizations.",
            )
        # open/pending authorizations count in full, closed ones by what they (are) captured
        # (spec 3.7: the authorization allowance rule is [spec: unconfirmed])
        committed = sum(
            (a.amount if a.status.state in ("Pending", "Open") else self.charged(a) for a in live),
            Decimal(0),
        )
        assert oro.order_total is not None  # Open implies AmountNotSet was cleared
        if committed + amount > oro.order_total + self.region.allowance(oro.order_total):
            raise SimulatorError(
                "TransactionAmountExceeded",
                f"The authorization amount {amount} {oro.currency} exceeds the amount still "
                f"authorizable on OrderReference {oro.id}.",
            )
        now = self.clock.now()
        digits = self.store.new_digits({a[-6:] for a in oro.authorization_ids})
        auth = Authorization(
            id=f"{oro.id}-A{digits}",
            order_reference_id=oro.id,
            reference_id=reference_id,
            amount=amount,
            currency=oro.currency,
            created=now,
            status=Status("Pending", now),
            note=note,
            capture_now=capture_now,
            soft_descriptor=(
                ("AMZ*" + soft_descriptor if soft_descriptor else self.default_soft_descriptor(oro))
                if capture_now
                else None
            ),
            transaction_timeout=timeout,
        )
        self._plan(auth, oro, simulation)
        self.store.authorizations[auth.id] = auth
        oro.authorization_ids.append(auth.id)
        self._remember("Authorize", reference_id, p, auth.id)
        if timeout == 0:
            self.settle_authorization(auth, now, notify=False)
            # spec 2.4: the CaptureNow response shows CapturedAmount 0, later Gets the full amount
            return self._auth_xml(auth, Decimal(0) if capture_now else None)
        delay = timedelta(seconds=self.settings.async_authorization_seconds)
        if auth.planned_reason == "TransactionTimedOut":
            delay = timedelta(minutes=timeout)  # spec 3.3: not processed within the timeout
        self.store.schedule(now + delay, "authorization_settles", auth.id)
        if self.settings.notify_all_changes:
            self._queue(auth)
        return self._auth_xml(auth)

    def _plan(self, auth: Authorization, oro: OrderReference, sim: Simulation | None) -> None:
        """The outcome: simulation string first, then the wallet's test method (spec 5)."""
        if sim is not None:
            if sim.state == "Closed" and sim.reason_code == "ExpiredUnused":
                auth.expire_minutes = sim.expiration_minutes
                return
            auth.planned_state, auth.planned_reason = sim.state or "Open", sim.reason_code
            if sim.reason_code == "InvalidPaymentMethod":
                # SoftDecline defaults to true when the string omits it (spec: unconfirmed)
                auth.soft_decline = True if sim.soft_decline is None else sim.soft_decline
                auth.update_minutes = sim.payment_method_update_minutes
            return
        method = self.method_outcome(oro)
        if method and method["outcome"] in (
            "InvalidPaymentMethod",
            "AmazonRejected",
            "TransactionTimedOut",
            "ProcessingFailure",  # no documented simulation string (spec: unconfirmed, spec 5)
        ):
            auth.planned_state, auth.planned_reason = "Declined", method["outcome"]
            auth.soft_decline = bool(method["soft_decline"])

    def _get_authorization_details(self, p: Params, env: str) -> str:
        return self._auth_xml(self.transaction(p.required("AmazonAuthorizationId"), "A", env))

    def _close_authorization(self, p: Params, env: str) -> str:
        auth = self.transaction(p.required("AmazonAuthorizationId"), "A", env)
        reason = p.text("ClosureReason", 255)
        if auth.status.state not in ("Pending", "Open"):
            raise status_error("Authorization", auth.id, auth.status.state, "CloseAuthorization")
        self.change(auth, "Closed", "SellerClosed", reason, at=self.clock.now(), notify=False)
        return ""

    # == captures and refunds ====================================================================
    def _capture(self, p: Params, env: str) -> str:
        auth_id = p.required("AmazonAuthorizationId")
        reference_id = p.reference_id("CaptureReferenceId")
        amount = p.amount("CaptureAmount", self.region, max_code="TransactionAmountExceeded")
        note = p.text("SellerCaptureNote", 255)
        soft_descriptor = p.text("SoftDescriptor", 16)
        auth = self.transaction(auth_id, "A", env)
        replayed = self._replay("Capture", reference_id, p)
        if replayed is not None:
            cap = self.store.captures[replayed]
            return render.capture_details(cap, self.refunded(cap))
        if auth.status.state != "Open":
            raise status_error("Authorization", auth.id, auth.status.state, "Capture")
        if amount > auth.amount:
            # spec 3.7: no over-capture; the code TransactionAmountExceeded [spec: unconfirmed]
            raise SimulatorError(
                "TransactionAmountExceeded",
                f"The capture amount {amount} {auth.currency} exceeds the authorized amount "
                f"{auth.amount} {auth.currency} of {auth.id}.",
            )
        simulation = self._simulation(note, "capture", env)
        cap = self.create_capture(
            auth, reference_id, amount, note, soft_descriptor, simulation, self.clock.now()
        )
        self._remember("Capture", reference_id, p, cap.id)
        return render.capture_details(cap, self.refunded(cap))

    def _get_capture_details(self, p: Params, env: str) -> str:
        cap = self.transaction(p.required("AmazonCaptureId"), "C", env)
        return render.capture_details(cap, self.refunded(cap))

    def _refund(self, p: Params, env: str) -> str:
        capture_id = p.required("AmazonCaptureId")
        reference_id = p.reference_id("RefundReferenceId")
        amount = p.amount("RefundAmount", self.region, max_code="TransactionAmountExceeded")
        note = p.text("SellerRefundNote", 255)
        soft_descriptor = p.text("SoftDescriptor", 16)
        cap = self.transaction(capture_id, "C", env)
        replayed = self._replay("Refund", reference_id, p)
        if replayed is not None:
            return render.refund_details(self.store.refunds[replayed])
        if cap.status.state != "Completed":
            raise SimulatorError(
                "CaptureNotRefundable",
                f"Capture {cap.id} is in state {cap.status.state} and cannot be refunded.",
                405,
            )
        refunds = [self.store.refunds[r] for r in cap.refund_ids]
        live = [r for r in refunds if r.status.state != "Declined"]
        if len(live) >= MAX_REFUNDS_PER_CAPTURE:
            # spec 3.7: 10 refunds per capture; the code for an 11th [spec: unconfirmed]
            raise SimulatorError(
                "TransactionCountExceeded",
                f"Capture {cap.id} has reached the maximum number of refunds.",
            )
        refundable = cap.amount + self.region.allowance(cap.amount)
        if sum((r.amount for r in live), Decimal(0)) + amount > refundable:
            # spec 3.7: cumulative refunds <= captured + min(15 %, cap); code [spec: unconfirmed]
            raise SimulatorError(
                "TransactionAmountExceeded",
                f"The refund amount {amount} {cap.currency} exceeds the refundable amount of "
                f"{cap.id}.",
            )
        simulation = self._simulation(note, "refund", env)
        oro = self.store.orders[cap.order_reference_id]
        taken = {r[-6:] for a in self.authorizations_of(oro) for c in a.capture_ids
                 for r in self.store.captures[c].refund_ids}  # fmt: skip
        now = self.clock.now()
        ref = Refund(
            id=f"{oro.id}-R{self.store.new_digits(taken)}",
            capture_id=cap.id,
            order_reference_id=oro.id,
            reference_id=reference_id,
            amount=amount,
            currency=cap.currency,
            created=now,
            status=Status("Pending", now),
            note=note,
            soft_descriptor="AMZ*" + soft_descriptor if soft_descriptor else cap.soft_descriptor,
        )
        if simulation is not None:
            ref.planned_state, ref.planned_reason = "Declined", simulation.reason_code
        self.store.refunds[ref.id] = ref
        cap.refund_ids.append(ref.id)
        self._remember("Refund", reference_id, p, ref.id)
        # spec 2.4 Refund: always Pending first, settled later (sandbox ≈ 31 s)
        self.store.schedule(
            now + timedelta(seconds=self.settings.refund_seconds), "refund_settles", ref.id
        )
        if self.settings.notify_all_changes:
            self._queue(ref)
        return render.refund_details(ref)

    def _get_refund_details(self, p: Params, env: str) -> str:
        return render.refund_details(self.transaction(p.required("AmazonRefundId"), "R", env))
