"""PaymentsClient: one method per OffAmazonPayments operation (spec 2.4), typed results.

Each method validates its input (no request on a bad value), builds the parameters and hands
them to `call()`. What a failed *repeat* means is decided here, per operation (spec 3.9):
Authorize/Capture/Refund carry their reference id, so DuplicateReference on a repeat means
"the first attempt went through": the object is fetched and returned, never charged twice.
Confirm/Cancel/Close/CloseAuthorization answered InvalidState on a repeat succeed when the
object already is in the target state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from ..amounts import Amount
from ..regions import PAYMENTS_VERSION
from . import parsing as p
from . import validation as v
from .errors import DuplicateReference, InvalidState, MwsError
from .transport import BaseClient
from .types import (
    Acknowledgement,
    AuthorizationDetails,
    CaptureDetails,
    OrderReferenceDetails,
    RefundDetails,
    ServiceStatus,
)

T = TypeVar("T")

_ORO = p.child("OrderReferenceDetails", p.order_reference)
_AUTH = p.child("AuthorizationDetails", p.authorization)
_CAPTURE = p.child("CaptureDetails", p.capture)
_REFUND = p.child("RefundDetails", p.refund)


class PaymentsClient(BaseClient):
    version = PAYMENTS_VERSION

    @property
    def url(self) -> str:
        return self.config.payments_url

    def _amount(self, value: object, name: str, *, transaction: bool = True) -> Amount:
        return v.amount(value, name, self.config.region, transaction=transaction)

    def _transaction(
        self,
        params: dict[str, str],
        kind: str,
        amount: Amount,
        seller_note: str | None,
        soft_descriptor: str | None,
    ) -> None:
        """What Authorize, Capture and Refund share, named after `kind` (spec 2.4):
        `<kind>Amount`, `Seller<kind>Note` and `SoftDescriptor`."""
        v.put_amount(params, f"{kind}Amount", self._amount(amount, f"{kind}Amount"))
        note = f"Seller{kind}Note"
        v.put(params, note, v.text(seller_note, note, v.TRANSACTION_NOTE_MAX))
        v.put(
            params,
            "SoftDescriptor",
            v.text(soft_descriptor, "SoftDescriptor", v.SOFT_DESCRIPTOR_MAX),
        )

    # -- order reference ----------------------------------------------------------------------
    def get_order_reference_details(
        self, amazon_order_reference_id: str, *, access_token: str | None = None
    ) -> OrderReferenceDetails:
        oid = v.order_reference_id(amazon_order_reference_id)
        params = {"AmazonOrderReferenceId": oid}
        v.put(params, "AccessToken", v.text(access_token, "AccessToken"))
        return self.call("GetOrderReferenceDetails", params, _ORO, object_id=oid)

    def _order_attributes(
        self,
        prefix: str,
        *,
        order_total: Amount | None,
        seller_note: str | None,
        seller_order_id: str | None,
        store_name: str | None,
        custom_information: str | None,
        platform_id: str | None,
        request_payment_authorization: bool | None,
    ) -> dict[str, str]:
        params: dict[str, str] = {}
        if order_total is not None:
            v.put_amount(
                params,
                f"{prefix}.OrderTotal",
                self._amount(order_total, "OrderTotal", transaction=False),
            )
        v.put(params, f"{prefix}.PlatformId", v.text(platform_id, "PlatformId"))
        v.put(params, f"{prefix}.SellerNote", v.text(seller_note, "SellerNote", v.NOTE_MAX))
        seller = f"{prefix}.SellerOrderAttributes"
        # lengths of these three are unconfirmed (spec 2.4): not checked here
        v.put(params, f"{seller}.SellerOrderId", v.text(seller_order_id, "SellerOrderId"))
        v.put(params, f"{seller}.StoreName", v.text(store_name, "StoreName"))
        v.put(
            params, f"{seller}.CustomInformation", v.text(custom_information, "CustomInformation")
        )
        v.put(
            params,
            f"{prefix}.RequestPaymentAuthorization",
            v.flag(request_payment_authorization, "RequestPaymentAuthorization"),
        )
        return params

    def set_order_reference_details(
        self,
        amazon_order_reference_id: str,
        *,
        order_total: Amount,
        seller_note: str | None = None,
        seller_order_id: str | None = None,
        store_name: str | None = None,
        custom_information: str | None = None,
        platform_id: str | None = None,
        request_payment_authorization: bool | None = None,
    ) -> OrderReferenceDetails:
        """Draft only (spec 2.4); idempotent, so retried like a read."""
        oid = v.order_reference_id(amazon_order_reference_id)
        if order_total is None:
            raise v.RequestValidationError("OrderTotal is required")
        params = {"AmazonOrderReferenceId": oid}
        params.update(
            self._order_attributes(
                "OrderReferenceAttributes",
                order_total=order_total,
                seller_note=seller_note,
                seller_order_id=seller_order_id,
                store_name=store_name,
                custom_information=custom_information,
                platform_id=platform_id,
                request_payment_authorization=request_payment_authorization,
            )
        )
        return self.call("SetOrderReferenceDetails", params, _ORO, object_id=oid)

    def set_order_attributes(
        self,
        amazon_order_reference_id: str,
        *,
        order_total: Amount | None = None,
        seller_note: str | None = None,
        seller_order_id: str | None = None,
        store_name: str | None = None,
        custom_information: str | None = None,
        platform_id: str | None = None,
        order_item_categories: Iterable[str] = (),
        request_payment_authorization: bool | None = None,
        payment_service_provider_id: str | None = None,
        payment_service_provider_order_id: str | None = None,
    ) -> OrderReferenceDetails:
        oid = v.order_reference_id(amazon_order_reference_id)
        params = {"AmazonOrderReferenceId": oid}
        params.update(
            self._order_attributes(
                "OrderAttributes",
                order_total=order_total,
                seller_note=seller_note,
                seller_order_id=seller_order_id,
                store_name=store_name,
                custom_information=custom_information,
                platform_id=platform_id,
                request_payment_authorization=request_payment_authorization,
            )
        )
        categories = "OrderAttributes.SellerOrderAttributes.OrderItemCategories.OrderItemCategory"
        for n, category in enumerate(order_item_categories, start=1):  # lists are 1-based (1.3)
            v.put(params, f"{categories}.{n}", v.text(category, "OrderItemCategory"))
        psp = "OrderAttributes.PaymentServiceProviderAttributes"
        v.put(
            params,
            f"{psp}.PaymentServiceProviderId",
            v.text(payment_service_provider_id, "PaymentServiceProviderId"),
        )
        v.put(
            params,
            f"{psp}.PaymentServiceProviderOrderId",
            v.text(payment_service_provider_order_id, "PaymentServiceProviderOrderId"),
        )
        return self.call("SetOrderAttributes", params, _ORO, object_id=oid)

    def confirm_order_reference(
        self,
        amazon_order_reference_id: str,
        *,
        success_url: str | None = None,
        failure_url: str | None = None,
        authorization_amount: Amount | None = None,
        expect_immediate_authorization: bool | None = None,
    ) -> Acknowledgement:
        oid = v.order_reference_id(amazon_order_reference_id)
        params = {"AmazonOrderReferenceId": oid}
        v.put(params, "SuccessUrl", v.text(success_url, "SuccessUrl"))
        v.put(params, "FailureUrl", v.text(failure_url, "FailureUrl"))
        if authorization_amount is not None:
            v.put_amount(
                params,
                "AuthorizationAmount",
                self._amount(authorization_amount, "AuthorizationAmount"),
            )
        v.put(
            params,
            "ExpectImmediateAuthorization",
            v.flag(expect_immediate_authorization, "ExpectImmediateAuthorization"),
        )
        return self._order_state_change("ConfirmOrderReference", oid, params, "Open")

    def cancel_order_reference(
        self, amazon_order_reference_id: str, *, reason: str | None = None
    ) -> Acknowledgement:
        oid = v.order_reference_id(amazon_order_reference_id)
        params = {"AmazonOrderReferenceId": oid}
        v.put(params, "CancelationReason", v.text(reason, "CancelationReason", v.NOTE_MAX))
        return self._order_state_change("CancelOrderReference", oid, params, "Canceled")

    def close_order_reference(
        self, amazon_order_reference_id: str, *, reason: str | None = None
    ) -> Acknowledgement:
        oid = v.order_reference_id(amazon_order_reference_id)
        params = {"AmazonOrderReferenceId": oid}
        v.put(params, "ClosureReason", v.text(reason, "ClosureReason", v.NOTE_MAX))
        return self._order_state_change("CloseOrderReference", oid, params, "Closed")

    def _order_state_change(
        self, operation: str, oid: str, params: dict[str, str], target: str
    ) -> Acknowledgement:
        def resolve(exc: MwsError) -> Acknowledgement | None:
            if not isinstance(exc, InvalidState):
                return None
            current = self.get_order_reference_details(oid)
            return Acknowledgement(current.request_id) if current.status.state == target else None

        return self.call(operation, params, p.acknowledgement, object_id=oid, resolve=resolve)

    # -- authorization ------------------------------------------------------------------------
    def authorize(
        self,
        amazon_order_reference_id: str,
        *,
        authorization_reference_id: str,
        amount: Amount,
        transaction_timeout: int = 1440,
        capture_now: bool = False,
        seller_authorization_note: str | None = None,
        soft_descriptor: str | None = None,
    ) -> AuthorizationDetails:
        oid = v.order_reference_id(amazon_order_reference_id)
        ref = v.reference_id(authorization_reference_id, "AuthorizationReferenceId")
        params = {"AmazonOrderReferenceId": oid, "AuthorizationReferenceId": ref}
        self._transaction(
            params, "Authorization", amount, seller_authorization_note, soft_descriptor
        )
        params["TransactionTimeout"] = v.transaction_timeout(transaction_timeout)
        params["CaptureNow"] = v.flag(capture_now, "CaptureNow") or "false"
        return self.call(
            "Authorize",
            params,
            _AUTH,
            object_id=oid,
            resolve=self._duplicate(lambda: self.find_authorization(oid, ref)),
        )

    def get_authorization_details(self, amazon_authorization_id: str) -> AuthorizationDetails:
        aid = v.transaction_id(amazon_authorization_id, "authorization", "AmazonAuthorizationId")
        params = {"AmazonAuthorizationId": aid}
        return self.call("GetAuthorizationDetails", params, _AUTH, object_id=aid)

    def close_authorization(
        self, amazon_authorization_id: str, *, reason: str | None = None
    ) -> Acknowledgement:
        aid = v.transaction_id(amazon_authorization_id, "authorization", "AmazonAuthorizationId")
        params = {"AmazonAuthorizationId": aid}
        v.put(params, "ClosureReason", v.text(reason, "ClosureReason", v.TRANSACTION_NOTE_MAX))

        def resolve(exc: MwsError) -> Acknowledgement | None:
            if not isinstance(exc, InvalidState):
                return None
            current = self.get_authorization_details(aid)
            return Acknowledgement(current.request_id) if current.status.state == "Closed" else None

        return self.call(
            "CloseAuthorization", params, p.acknowledgement, object_id=aid, resolve=resolve
        )

    # -- capture and refund -------------------------------------------------------------------
    def capture(
        self,
        amazon_authorization_id: str,
        *,
        capture_reference_id: str,
        amount: Amount,
        seller_capture_note: str | None = None,
        soft_descriptor: str | None = None,
    ) -> CaptureDetails:
        aid = v.transaction_id(amazon_authorization_id, "authorization", "AmazonAuthorizationId")
        ref = v.reference_id(capture_reference_id, "CaptureReferenceId")
        params = {"AmazonAuthorizationId": aid, "CaptureReferenceId": ref}
        self._transaction(params, "Capture", amount, seller_capture_note, soft_descriptor)
        return self.call(
            "Capture",
            params,
            _CAPTURE,
            object_id=aid,
            resolve=self._duplicate(lambda: self.find_capture(aid, ref)),
        )

    def get_capture_details(self, amazon_capture_id: str) -> CaptureDetails:
        cid = v.transaction_id(amazon_capture_id, "capture", "AmazonCaptureId")
        return self.call("GetCaptureDetails", {"AmazonCaptureId": cid}, _CAPTURE, object_id=cid)

    def refund(
        self,
        amazon_capture_id: str,
        *,
        refund_reference_id: str,
        amount: Amount,
        seller_refund_note: str | None = None,
        soft_descriptor: str | None = None,
    ) -> RefundDetails:
        cid = v.transaction_id(amazon_capture_id, "capture", "AmazonCaptureId")
        ref = v.reference_id(refund_reference_id, "RefundReferenceId")
        params = {"AmazonCaptureId": cid, "RefundReferenceId": ref}
        self._transaction(params, "Refund", amount, seller_refund_note, soft_descriptor)
        return self.call(
            "Refund",
            params,
            _REFUND,
            object_id=cid,
            resolve=self._duplicate(lambda: self.find_refund(cid, ref)),
        )

    def get_refund_details(self, amazon_refund_id: str) -> RefundDetails:
        rid = v.transaction_id(amazon_refund_id, "refund", "AmazonRefundId")
        return self.call("GetRefundDetails", {"AmazonRefundId": rid}, _REFUND, object_id=rid)

    def get_service_status(self) -> ServiceStatus:
        return self.call("GetServiceStatus", {}, p.service_status)

    # -- reconciliation (spec 3.9) ------------------------------------------------------------
    def find_authorization(
        self, amazon_order_reference_id: str, authorization_reference_id: str
    ) -> AuthorizationDetails | None:
        """The authorization of this order reference made with this reference id, if any."""
        oro = self.get_order_reference_details(amazon_order_reference_id)
        for aid in oro.id_list:
            auth = self.get_authorization_details(aid)
            if auth.authorization_reference_id == authorization_reference_id:
                return auth
        return None

    def find_capture(
        self, amazon_authorization_id: str, capture_reference_id: str
    ) -> CaptureDetails | None:
        auth = self.get_authorization_details(amazon_authorization_id)
        for cid in auth.id_list:
            capture = self.get_capture_details(cid)
            if capture.capture_reference_id == capture_reference_id:
                return capture
        return None

    def find_refund(self, amazon_capture_id: str, refund_reference_id: str) -> RefundDetails | None:
        capture = self.get_capture_details(amazon_capture_id)
        for rid in capture.id_list:
            refund = self.get_refund_details(rid)
            if refund.refund_reference_id == refund_reference_id:
                return refund
        return None

    @staticmethod
    def _duplicate(find: Callable[[], T | None]) -> Callable[[MwsError], T | None]:
        """On a repeat answered DuplicateReference, the existing object (or None: raise)."""

        def resolve(exc: MwsError) -> T | None:
            return find() if isinstance(exc, DuplicateReference) else None

        return resolve
