"""The simulator's payment engine: every OffAmazonPayments payment operation (spec 2.4, 3, 5).

`PaymentsEngine.handle()` takes decoded, already-authenticated parameters and returns the
success XML or raises `SimulatorError`; the buyer-side methods play the widgets' part. Signature
checks, throttling, faults and IPN delivery belong to the protocol layer (simulator.py, wsgi.py).
The operations themselves live in order_operations.py and payment_operations.py.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from ..regions import Region
from . import render
from .clock import Clock
from .errors import SimulatorError
from .lifecycle import EngineSettings, Notification, not_modifiable, status_error
from .objects import Authorization, Capture, OrderReference, Refund, Status
from .order_operations import OrderOperations
from .params import Params
from .payment_operations import PaymentOperations
from .rules import (
    DEFAULT_ADDRESSES,
    DEFAULT_BUYERS,
    PAYMENT_METHODS,
    PAYMENT_METHODS_BY_ID,
)
from .store import Store

__all__ = ["EngineSettings", "Notification", "PaymentsEngine", "unknown_payment_method"]


def unknown_payment_method(method: object) -> SimulatorError:
    """The error for a wallet choice that is not in the catalogue; it names the valid ids."""
    return SimulatorError(
        "InvalidParameterValue",
        f"Unknown payment method {method!r}; valid ids: {', '.join(PAYMENT_METHODS_BY_ID)}",
    )


class PaymentsEngine(OrderOperations, PaymentOperations):
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
                    # exact code [spec: unconfirmed] (spec 4 last paragraph); MWS's InvalidAddress
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
                if method and (not isinstance(method, str) or method not in PAYMENT_METHODS_BY_ID):
                    raise unknown_payment_method(method)
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
                raise not_modifiable(oro.id)
            oro.address = dict(address) or None

    def set_payment_method(self, order_reference_id: str, payment_method: str) -> None:
        """The buyer picks another wallet entry: in Draft, or in Suspended (spec 3.10)."""
        with self._lock:
            oro = self._buyer_order(order_reference_id)
            if not isinstance(payment_method, str) or payment_method not in PAYMENT_METHODS_BY_ID:
                raise unknown_payment_method(payment_method)
            if oro.status.state == "Suspended":
                oro.payment_method_updated = True
            elif oro.status.state != "Draft":
                raise status_error("OrderReference", oro.id, oro.status.state, "a wallet change")
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

    def summary(self, latest: int) -> dict:
        """Counts per kind and the `latest` newest order references (the front page)."""
        with self._lock:
            store = self.store
            # stable sort, then reversed: same-time objects (a frozen clock) newest first too
            newest = sorted(store.orders.values(), key=lambda o: o.created)[::-1]
            return {
                "counts": {
                    "OrderReference": len(store.orders),
                    "Authorization": len(store.authorizations),
                    "Capture": len(store.captures),
                    "Refund": len(store.refunds),
                },
                "latest": [
                    {
                        "id": oro.id,
                        "state": oro.status.state,
                        "order_total": oro.order_total,
                        "currency": oro.currency,
                        "created": oro.created,
                    }
                    for oro in newest[:latest]
                ],
            }

    def snapshot(self) -> dict:
        with self._lock:
            return {"version": 1, "store": self.store.to_json()}

    def restore(self, data: dict) -> None:
        with self._lock:
            store = Store.from_json(copy.deepcopy(data["store"]))
            if self.settings.id_seed is None:
                # a long-lived simulator may have issued ids after this state was saved: the
                # saved counter would repeat them (a seeded one replays exactly, for tests)
                store.reseed()
            self.store = store
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
