"""Order reference operations of the payment engine (spec 2.4, 3.1, 3.2) and service status."""

from __future__ import annotations

from . import render
from .errors import SimulatorError
from .lifecycle import EngineCore, not_modifiable, status_error
from .objects import OrderReference
from .params import Params, invalid
from .rules import (
    COARSE_ADDRESS_FIELDS,
    IMMEDIATE_AUTHORIZATION_WINDOW,
)

_ORO_ATTRS = "OrderReferenceAttributes"
_ORDER_ATTRS = "OrderAttributes"


class OrderOperations(EngineCore):
    """Handlers `(params, environment) -> result XML` for the order reference operations."""

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

    # == order reference operations (spec 2.4) ===================================================
    def _get_order_reference_details(self, p: Params, env: str) -> str:
        oro = self.order(p.required("AmazonOrderReferenceId"), env)
        # the simulator has no Login with Amazon: any token is valid except the literal
        # "invalid", which lets tests reach InvalidAddressConsentToken (404 [spec: unconfirmed])
        token = p.optional("AccessToken") or p.optional("AddressConsentToken")
        if token is not None and token.lower() == "invalid":
            raise SimulatorError(
                "InvalidAddressConsentToken", "The address consent token is invalid.", 404
            )
        return self._order_xml(oro, token=token is not None, include_id_list=True)

    def _set_order_reference_details(self, p: Params, env: str) -> str:
        oro = self.order(p.required("AmazonOrderReferenceId"), env)
        if not p.has_prefix(_ORO_ATTRS + "."):
            # spec 1.6: the observed Coral message
            raise invalid(
                "Value null at 'orderReferenceAttributes' failed to satisfy constraint: "
                "Member must not be null"
            )
        if oro.status.state != "Draft":
            raise not_modifiable(oro.id)
        total = p.amount(f"{_ORO_ATTRS}.OrderTotal", self.region, max_code="InvalidParameterValue")
        note = p.text(f"{_ORO_ATTRS}.SellerNote", 1024)
        simulation = self._simulation(note, "order", env)
        prefix = f"{_ORO_ATTRS}.SellerOrderAttributes."
        # one call sets the attributes as a whole: a new SellerNote removes the simulated
        # constraint (spec 5). Lengths of the seller order fields are [spec: unconfirmed]: 1024.
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
            raise not_modifiable(oro.id)  # post-confirmation rules [spec: unconfirmed] (spec 2.4)
        draft = state == "Draft"
        if p.optional(f"{_ORDER_ATTRS}.OrderTotal.Amount") or p.optional(
            f"{_ORDER_ATTRS}.OrderTotal.CurrencyCode"
        ):
            if not draft:
                raise not_modifiable(oro.id)  # spec 2.4: amount only before confirmation
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
                    raise not_modifiable(oro.id)
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
                # message wording [spec: unconfirmed]: spec 2.4 says it lists the constraints
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
                # 400 [spec: unconfirmed] (spec 2.4, 4)
                raise SimulatorError(
                    "PaymentMethodNotUpdated",
                    f"The payment method of OrderReference {oro.id} has not been updated.",
                )
            oro.payment_method_updated = False
            self.change(oro, "Open", at=now, notify=False)
        elif state != "Open":  # confirming an Open ORO again is a no-op (spec: unconfirmed)
            raise status_error("OrderReference", oro.id, state, "ConfirmOrderReference")
        return ""

    def _cancel_order_reference(self, p: Params, env: str) -> str:
        oro = self.order(p.required("AmazonOrderReferenceId"), env)
        reason = p.text("CancelationReason", 1024)
        state = oro.status.state
        if state == "Canceled":
            return ""  # the ORO id is the idempotency key (spec 3.9); [spec: unconfirmed]
        if state not in ("Open", "Suspended"):
            raise status_error("OrderReference", oro.id, state, "CancelOrderReference")
        auths = self.authorizations_of(oro)
        for auth in auths:
            for cap_id in auth.capture_ids:
                if self.store.captures[cap_id].status.state in ("Pending", "Completed", "Closed"):
                    # code and 405 [spec: unconfirmed] (spec 2.4, 4)
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
            return ""  # closing twice is a no-op (spec: unconfirmed)
        if state not in ("Open", "Suspended"):
            raise status_error("OrderReference", oro.id, state, "CloseOrderReference")
        now = self.clock.now()
        if simulation:
            self.change(oro, "Closed", simulation.reason_code, at=now, notify=False)
        else:
            # seed 000: ReasonDescription is the ClosureReason
            self.change(oro, "Closed", "SellerClosed", reason, at=now, notify=False)
        return ""

    # == service status ==========================================================================
    def _get_service_status(self, p: Params, env: str) -> str:
        return render.el("Status", "GREEN") + render.el(
            "Timestamp", render.timestamp(self.clock.now())
        )

    def _get_merchant_account_status(self, p: Params, env: str) -> str:
        return render.el("AccountStatus", "ACTIVE")
