"""The simulator's payment engine: every OffAmazonPayments payment operation (spec 2.4, 3, 5).

`PaymentsEngine.handle()` takes decoded, already-authenticated parameters and returns the
success XML or raises `SimulatorError`; the buyer-side methods play the widgets' part. Signature
checks, throttling, faults and IPN delivery belong to the protocol layer (simulator.py, wsgi.py).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from ..regions import Region
from . import render
from .clock import Clock
from .errors import SimulatorError
from .lifecycle import EngineCore, EngineSettings, Notification
from .objects import Authorization, Capture, OrderReference, Refund, Status
from .params import Params, invalid
from .rules import (
    COARSE_ADDRESS_FIELDS,
    DEFAULT_ADDRESSES,
    DEFAULT_BUYERS,
    IMMEDIATE_AUTHORIZATION_WINDOW,
    MAX_AUTHORIZATIONS,
    MAX_REFUNDS_PER_CAPTURE,
    PAYMENT_METHODS,
    PAYMENT_METHODS_BY_ID,
)
from .simulation import Simulation, parse
from .store import Store

__all__ = ["EngineSettings", "Notification", "PaymentsEngine"]

_ORO_ATTRS = "OrderReferenceAttributes"
_ORDER_ATTRS = "OrderAttributes"


def _not_status(kind: str, object_id: str, state: str, action: str) -> SimulatorError:
    # 405 for InvalidOrderReferenceStatus is **unconfirmed** (spec 4); message wording ours
    return SimulatorError(
        f"Invalid{kind}Status",
        f"{kind} {object_id} is in state {state}; {action} is not allowed in this state.",
        405,
    )


def _not_modifiable(order_id: str) -> SimulatorError:
    return SimulatorError(
        "OrderReferenceNotModifiable",
        f"OrderReference {order_id} is not in draft state and cannot be modified with the "
        "request submitted by you.",
        405,
    )


class PaymentsEngine(EngineCore):
    """Order references, authorizations, captures and refunds of one seller in one region."""

    def __init__(
        self,
        *,
        seller_id: str,
        region: Region,
        clock: Clock,
        settings: EngineSettings = EngineSettings(),  # noqa: B008 (frozen)
        notify: Callable[[Notification], None] | None = None,
    ) -> None:
        super().__init__(
            seller_id=seller_id, region=region, clock=clock, settings=settings, notify=notify
        )
        self._operations: dict[str, Callable[[Params, str], str]] = {
            "GetOrderReferenceDetails": self._get_order_reference_details,
            "SetOrderReferenceDetails": self._set_order_reference_details,
            "SetOrderAttributes": self._set_order_attributes,
            "ConfirmOrderReference": self._confirm_order_reference,
            "CancelOrderReference": self._cancel_order_reference,
            "CloseOrderReference": self._close_order_reference,
            "Authorize": self._authorize,
            "GetAuthorizationDetails": self._get_authorization_details,
            "CloseAuthorization": self._close_authorization,
            "Capture": self._capture,
            "GetCaptureDetails": self._get_capture_details,
            "Refund": self._refund,
            "GetRefundDetails": self._get_refund_details,
            "GetServiceStatus": self._get_service_status,
            "GetMerchantAccountStatus": self._get_merchant_account_status,
        }
        self.known_actions: frozenset[str] = frozenset(self._operations)

    # == public API ==============================================================================
    def handle(
        self, action: str, params: Mapping[str, str], *, environment: str, request_id: str
    ) -> str:
        """One payment operation: the success XML body, or SimulatorError (spec 1.5, 4)."""
        try:
            with self._lock:
                self.run_timers()
                operation = self._operations.get(action)
                if operation is None:
                    # exact code **unconfirmed** (spec 4 last paragraph); MWS's InvalidAddress
                    raise SimulatorError("InvalidAddress", f"Invalid operation: {action}", 404)
                return render.response(action, operation(Params(params), environment), request_id)
        finally:
            self._flush()

    def advance(self) -> None:
        """Apply every timer due at clock.now() (async settlements, expirations...)."""
        try:
            with self._lock:
                self.run_timers()
        finally:
            self._flush()

    def create_order_reference(
        self,
        *,
        environment: str = "Sandbox",
        address: dict | None = None,
        payment_method: str | None = None,
        buyer: dict | None = None,
    ) -> str:
        """A Draft ORO as the widgets leave it: buyer signed in, address and wallet chosen.

        None picks the region's sandbox default; an empty dict / "" leaves the address /
        payment method unset (ShippingAddressNotSet / PaymentPlanNotSet constraints).
        """
        if environment not in ("Sandbox", "Live"):
            raise ValueError(f"environment must be 'Sandbox' or 'Live', not {environment!r}")
        try:
            with self._lock:
                self.run_timers()
                method = "visa-1111" if payment_method is None else payment_method
                if method and method not in PAYMENT_METHODS_BY_ID:
                    raise SimulatorError(
                        "InvalidParameterValue", f"Unknown payment method {method}"
                    )
                code = self.region.code
                oro = OrderReference(
                    id=self.store.new_order_id(
                        "S" if environment == "Sandbox" else "P", self.region.id_prefix
                    ),
                    environment=environment,
                    created=self.clock.now(),
                    status=Status("Draft"),
                    currency=self.region.currency,
                    address=dict(DEFAULT_ADDRESSES.get(code, DEFAULT_ADDRESSES["us"]))
                    if address is None
                    else dict(address) or None,
                    buyer=dict(DEFAULT_BUYERS.get(code, DEFAULT_BUYERS["us"]))
                    if buyer is None
                    else dict(buyer) or None,
                    payment_method=method or None,
                )
                self.store.orders[oro.id] = oro
                self.schedule_order_timers(oro)
                return oro.id
        finally:
            self._flush()

    def set_address(self, order_reference_id: str, address: dict) -> None:
        """The buyer picks another address in the AddressBook widget (Draft only)."""
        with self._lock:
            oro = self._buyer_order(order_reference_id)
            if oro.status.state != "Draft":
                raise _not_modifiable(oro.id)
            oro.address = dict(address) or None

    def set_payment_method(self, order_reference_id: str, payment_method: str) -> None:
        """The buyer picks another wallet entry: in Draft, or in Suspended (spec 3.10)."""
        with self._lock:
            oro = self._buyer_order(order_reference_id)
            if payment_method not in PAYMENT_METHODS_BY_ID:
                raise SimulatorError(
                    "InvalidParameterValue", f"Unknown payment method {payment_method}"
                )
            if oro.status.state == "Suspended":
                oro.payment_method_updated = True
            elif oro.status.state != "Draft":
                raise _not_status("OrderReference", oro.id, oro.status.state, "a wallet change")
            oro.payment_method = payment_method

    def payment_methods(self) -> list[dict]:
        """The wallet catalogue: id, label, outcome (None = pays), soft_decline."""
        return [dict(m) for m in PAYMENT_METHODS]

    def get_object(self, object_id: str) -> dict:
        """A plain snapshot of one object (KeyError when unknown)."""
        with self._lock:
            obj = self.store.find(object_id)
            if obj is None:
                raise KeyError(object_id)
            return self._describe(obj)

    def snapshot(self) -> dict:
        with self._lock:
            return {"version": 1, "store": self.store.to_json()}

    def restore(self, data: dict) -> None:
        with self._lock:
            self.store = Store.from_json(copy.deepcopy(data["store"]))
            self._outbox = []

    def reset(self) -> None:
        with self._lock:
            self.store = Store(self.settings.id_seed)
            self._outbox = []

    # == helpers =================================================================================
    def _buyer_order(self, order_id: str) -> OrderReference:
        oro = self.store.orders.get(order_id)
        if oro is None:
            raise SimulatorError(
                "InvalidOrderReferenceId", f"The OrderReferenceId {order_id} is invalid.", 404
            )
        return oro

    def _replay(self, action: str, reference_id: str, params: Params) -> str | None:
        """spec 3.9: the object of an earlier identical request, or DuplicateRequest."""
        entry = self.store.references.get(reference_id)
        if entry is None:
            return None
        first_action, fingerprint, object_id = entry
        if first_action != action:
            # where Amazon draws this line is **unconfirmed** (spec 3.9)
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

    def _simulation(self, note: str | None, field: str, environment: str) -> Simulation | None:
        # spec 5: only the sandbox path reads simulation strings
        return parse(note, field) if environment == "Sandbox" else None

    def _order_xml(self, oro: OrderReference, *, token: bool, include_id_list: bool) -> str:
        # spec 2.3 Destination/Buyer: full address and buyer after confirmation or with a token
        full = token or oro.status.state != "Draft"
        fields = (
            render.ADDRESS_FIELDS
            if full
            else COARSE_ADDRESS_FIELDS.get(self.region.code, COARSE_ADDRESS_FIELDS["us"])
        )
        return render.order_reference_details(
            oro,
            constraints=self.constraints(oro) if oro.status.state == "Draft" else [],
            address_fields=fields,
            show_buyer=full,
            include_id_list=include_id_list,
        )

    def _auth_xml(self, auth: Authorization, captured: Decimal | None = None) -> str:
        return render.authorization_details(
            auth, self.captured(auth) if captured is None else captured
        )

    def _describe(self, obj: OrderReference | Authorization | Capture | Refund) -> dict[str, Any]:
        base: dict[str, Any] = {
            "id": obj.id,
            "state": obj.status.state,
            "reason_code": obj.status.reason_code,
            "reason_description": obj.status.reason_description,
            "last_update": obj.status.last_update.isoformat() if obj.status.last_update else None,
            "created": obj.created.isoformat(),
        }
        if isinstance(obj, OrderReference):
            base.update(
                type="OrderReference",
                environment=obj.environment,
                order_total=None if obj.order_total is None else str(obj.order_total),
                currency=obj.currency,
                seller_note=obj.seller_note,
                seller_order_id=obj.seller_order_id,
                store_name=obj.store_name,
                payment_method=obj.payment_method,
                address=dict(obj.address) if obj.address else None,
                buyer=dict(obj.buyer) if obj.buyer else None,
                constraints=self.constraints(obj) if obj.status.state == "Draft" else [],
                id_list=list(obj.authorization_ids),
            )
        elif isinstance(obj, Authorization):
            base.update(
                type="Authorization",
                order_reference_id=obj.order_reference_id,
                reference_id=obj.reference_id,
                amount=str(obj.amount),
                captured_amount=str(self.captured(obj)),
                currency=obj.currency,
                capture_now=obj.capture_now,
                soft_decline=obj.soft_decline,
                id_list=list(obj.capture_ids),
            )
        elif isinstance(obj, Capture):
            base.update(
                type="Capture",
                order_reference_id=obj.order_reference_id,
                authorization_id=obj.authorization_id,
                reference_id=obj.reference_id,
                amount=str(obj.amount),
                refunded_amount=str(self.refunded(obj)),
                currency=obj.currency,
                soft_descriptor=obj.soft_descriptor,
                id_list=list(obj.refund_ids),
            )
        else:
            base.update(
                type="Refund",
                order_reference_id=obj.order_reference_id,
                capture_id=obj.capture_id,
                reference_id=obj.reference_id,
                amount=str(obj.amount),
                currency=obj.currency,
                soft_descriptor=obj.soft_descriptor,
            )
        return base

    # == order reference operations (spec 2.4) ===================================================
    def _get_order_reference_details(self, p: Params, env: str) -> str:
        oro = self.order(p.required("AmazonOrderReferenceId"), env)
        # any non-empty token is accepted: the simulator has no Login with Amazon
        token = bool(p.optional("AccessToken") or p.optional("AddressConsentToken"))
        return self._order_xml(oro, token=token, include_id_list=True)

    def _set_order_reference_details(self, p: Params, env: str) -> str:
        oro = self.order(p.required("AmazonOrderReferenceId"), env)
        if not p.has_prefix(_ORO_ATTRS + "."):
            # spec 1.6: the observed Coral message
            raise invalid(
                "Value null at 'orderReferenceAttributes' failed to satisfy constraint: "
                "Member must not be null"
            )
        if oro.status.state != "Draft":
            raise _not_modifiable(oro.id)
        total = p.amount(f"{_ORO_ATTRS}.OrderTotal", self.region, max_code="InvalidParameterValue")
        note = p.text(f"{_ORO_ATTRS}.SellerNote", 1024)
        simulation = self._simulation(note, "order", env)
        prefix = f"{_ORO_ATTRS}.SellerOrderAttributes."
        # one call sets the attributes as a whole: a new SellerNote removes the simulated
        # constraint (spec 5). Lengths of the seller order fields are **unconfirmed**: 1024.
        oro.order_total = total
        oro.seller_note = note
        oro.simulated_constraint = simulation.constraint if simulation else None
        oro.platform_id = p.text(f"{_ORO_ATTRS}.PlatformId", 1024)
        oro.seller_order_id = p.text(prefix + "SellerOrderId", 1024)
        oro.store_name = p.text(prefix + "StoreName", 1024)
        oro.custom_information = p.text(prefix + "CustomInformation", 1024)
        oro.supplementary_data = p.text(prefix + "SupplementaryData", 1024)
        oro.request_payment_authorization = p.boolean(
            f"{_ORO_ATTRS}.RequestPaymentAuthorization", False
        )
        self._touched(oro)
        # seed 000: the Set response carries no IdList
        return self._order_xml(oro, token=False, include_id_list=False)

    def _touched(self, oro: OrderReference) -> None:
        if self.settings.notify_all_changes:
            self._queue(oro)

    def _set_order_attributes(self, p: Params, env: str) -> str:
        oro = self.order(p.required("AmazonOrderReferenceId"), env)
        state = oro.status.state
        if state in ("Canceled", "Closed"):
            raise _not_modifiable(oro.id)  # post-confirmation rules **unconfirmed** (spec 2.4)
        draft = state == "Draft"
        if p.optional(f"{_ORDER_ATTRS}.OrderTotal.Amount") or p.optional(
            f"{_ORDER_ATTRS}.OrderTotal.CurrencyCode"
        ):
            if not draft:
                raise _not_modifiable(oro.id)  # spec 2.4: amount only before confirmation
            oro.order_total = p.amount(
                f"{_ORDER_ATTRS}.OrderTotal", self.region, max_code="InvalidParameterValue"
            )
        psp_id = p.text(
            f"{_ORDER_ATTRS}.PaymentServiceProviderAttributes.PaymentServiceProviderId", 1024
        )
        psp_order = p.text(
            f"{_ORDER_ATTRS}.PaymentServiceProviderAttributes.PaymentServiceProviderOrderId", 1024
        )
        if psp_id or psp_order:
            if not draft:
                # spec 2.4: PSP ids before confirmation or once after
                if oro.psp_updates_after_confirm >= 1:
                    raise _not_modifiable(oro.id)
                oro.psp_updates_after_confirm += 1
            oro.psp_id = psp_id or oro.psp_id
            oro.psp_order_id = psp_order or oro.psp_order_id
        note = p.text(f"{_ORDER_ATTRS}.SellerNote", 1024)
        if note is not None:
            simulation = self._simulation(note, "order", env) if draft else None
            oro.seller_note = note
            if draft:
                oro.simulated_constraint = simulation.constraint if simulation else None
        prefix = f"{_ORDER_ATTRS}.SellerOrderAttributes."
        for param, attr in (
            (f"{_ORDER_ATTRS}.PlatformId", "platform_id"),
            (prefix + "SellerOrderId", "seller_order_id"),
            (prefix + "StoreName", "store_name"),
            (prefix + "CustomInformation", "custom_information"),
            (prefix + "SupplementaryData", "supplementary_data"),
        ):
            value = p.text(param, 1024)
            if value is not None:
                setattr(oro, attr, value)
        categories = p.indexed(prefix + "OrderItemCategories.OrderItemCategory")
        if categories:
            oro.order_item_categories = categories
        if p.optional(f"{_ORDER_ATTRS}.RequestPaymentAuthorization") is not None:
            oro.request_payment_authorization = p.boolean(
                f"{_ORDER_ATTRS}.RequestPaymentAuthorization", False
            )
        self._touched(oro)
        return self._order_xml(oro, token=False, include_id_list=True)

    def _confirm_order_reference(self, p: Params, env: str) -> str:
        oro = self.order(p.required("AmazonOrderReferenceId"), env)
        if p.optional("AuthorizationAmount.Amount"):
            # SCA amount (spec 2.4): validated, otherwise unused by the simulator
            p.amount("AuthorizationAmount", self.region, max_code="TransactionAmountExceeded")
        now = self.clock.now()
        state = oro.status.state
        if state == "Draft":
            constraints = self.constraints(oro)
            if constraints:
                # message wording **unconfirmed**: spec 2.4 says it lists the constraints
                raise SimulatorError(
                    "ConstraintsExist",
                    f"The OrderReference {oro.id} has the following constraints: "
                    f"{', '.join(constraints)}.",
                )
            self.change(oro, "Open", at=now, notify=False)
            if p.boolean("ExpectImmediateAuthorization", False):
                self.store.schedule(
                    now + IMMEDIATE_AUTHORIZATION_WINDOW, "immediate_authorization", oro.id
                )
        elif state == "Suspended":
            if not oro.payment_method_updated:
                # 400 **unconfirmed** (spec 2.4, 4)
                raise SimulatorError(
                    "PaymentMethodNotUpdated",
                    f"The payment method of OrderReference {oro.id} has not been updated.",
                )
            oro.payment_method_updated = False
            self.change(oro, "Open", at=now, notify=False)
        elif state != "Open":  # confirming an Open ORO again is a no-op (**unconfirmed**)
            raise _not_status("OrderReference", oro.id, state, "ConfirmOrderReference")
        return ""

    def _cancel_order_reference(self, p: Params, env: str) -> str:
        oro = self.order(p.required("AmazonOrderReferenceId"), env)
        reason = p.text("CancelationReason", 1024)
        state = oro.status.state
        if state == "Canceled":
            return ""  # the ORO id is the idempotency key (spec 3.9); **unconfirmed**
        if state not in ("Open", "Suspended"):
            raise _not_status("OrderReference", oro.id, state, "CancelOrderReference")
        auths = self.authorizations_of(oro)
        for auth in auths:
            for cap_id in auth.capture_ids:
                if self.store.captures[cap_id].status.state in ("Pending", "Completed", "Closed"):
                    # code and 405 **unconfirmed** (spec 2.4, 4)
                    raise SimulatorError(
                        "InvalidCancelAttempt",
                        f"OrderReference {oro.id} has captures and cannot be canceled.",
                        405,
                    )
        now = self.clock.now()
        self.change(oro, "Canceled", "SellerCanceled", reason, at=now, notify=False)
        for auth in auths:
            if auth.status.state in ("Pending", "Open"):
                self.change(auth, "Closed", "OrderReferenceCanceled", at=now, notify=False)
        return ""

    def _close_order_reference(self, p: Params, env: str) -> str:
        oro = self.order(p.required("AmazonOrderReferenceId"), env)
        reason = p.text("ClosureReason", 1024)
        simulation = self._simulation(reason, "close_order", env)
        state = oro.status.state
        if state == "Closed":
            return ""  # closing twice is a no-op (**unconfirmed**)
        if state not in ("Open", "Suspended"):
            raise _not_status("OrderReference", oro.id, state, "CloseOrderReference")
        now = self.clock.now()
        if simulation:
            self.change(oro, "Closed", simulation.reason_code, at=now, notify=False)
        else:
            # seed 000: ReasonDescription is the ClosureReason
            self.change(oro, "Closed", "SellerClosed", reason, at=now, notify=False)
        return ""

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
            raise _not_status("OrderReference", oro.id, oro.status.state, "Authorize")
        simulation = self._simulation(note, "authorize", env)
        auths = self.authorizations_of(oro)
        live = [a for a in auths if a.status.state != "Declined"]
        if len(live) >= MAX_AUTHORIZATIONS:
            # 400 and the counting rule **unconfirmed** (spec 3.7)
            raise SimulatorError(
                "TransactionCountExceeded",
                f"OrderReference {oro.id} has reached the maximum number of authorizations.",
            )
        # open/pending authorizations count in full, closed ones by what they captured
        # (spec 3.7: the authorization allowance rule is **unconfirmed**)
        committed = sum(
            (a.amount if a.status.state in ("Pending", "Open") else self.captured(a) for a in live),
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
                # SoftDecline defaults to true when the string omits it (**unconfirmed**)
                auth.soft_decline = True if sim.soft_decline is None else sim.soft_decline
                auth.update_minutes = sim.payment_method_update_minutes
            return
        method = self.method_outcome(oro)
        if method and method["outcome"] in (
            "InvalidPaymentMethod",
            "AmazonRejected",
            "TransactionTimedOut",
            "ProcessingFailure",  # no documented simulation string (**unconfirmed**, spec 5)
        ):
            auth.planned_state, auth.planned_reason = "Declined", method["outcome"]
            auth.soft_decline = bool(method["soft_decline"])

    def _get_authorization_details(self, p: Params, env: str) -> str:
        return self._auth_xml(self.transaction(p.required("AmazonAuthorizationId"), "A", env))

    def _close_authorization(self, p: Params, env: str) -> str:
        auth = self.transaction(p.required("AmazonAuthorizationId"), "A", env)
        reason = p.text("ClosureReason", 255)
        if auth.status.state not in ("Pending", "Open"):
            raise _not_status("Authorization", auth.id, auth.status.state, "CloseAuthorization")
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
            raise _not_status("Authorization", auth.id, auth.status.state, "Capture")
        if amount > auth.amount:
            # spec 3.7: no over-capture of an authorization
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
            raise SimulatorError(
                "TransactionCountExceeded",
                f"Capture {cap.id} has reached the maximum number of refunds.",
            )
        if sum((r.amount for r in live), Decimal(0)) + amount > cap.amount + self.region.allowance(
            cap.amount
        ):
            # spec 3.7: cumulative refunds <= captured + min(15 %, cap)
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

    # == service status ==========================================================================
    def _get_service_status(self, p: Params, env: str) -> str:
        return render.el("Status", "GREEN") + render.el(
            "Timestamp", render.timestamp(self.clock.now())
        )

    def _get_merchant_account_status(self, p: Params, env: str) -> str:
        return render.el("AccountStatus", "ACTIVE")
