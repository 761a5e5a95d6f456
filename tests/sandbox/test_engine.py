"""PaymentsEngine: order reference operations, address disclosure, errors, service status.

`Harness` (also used by the other test_engine_* modules) drives the engine through handle()
with a frozen clock and parses the XML with xmltodict, like the Python SDK's to_dict().
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import xmltodict

from django_amazonpay.regions import get_region
from django_amazonpay.sandbox.clock import Clock
from django_amazonpay.sandbox.engine import EngineSettings, Notification, PaymentsEngine
from django_amazonpay.sandbox.errors import SimulatorError

START = datetime(2018, 2, 17, 15, 19, 6, 399000, tzinfo=timezone.utc)
SELLER = "A9FVERUG2LKDK"


class Harness:
    def __init__(self, region: str = "jp", **settings: Any) -> None:
        self.clock = Clock(START)
        self.region = get_region(region)
        self.notes: list[Notification] = []
        self.engine = PaymentsEngine(
            seller_id=SELLER,
            region=self.region,
            clock=self.clock,
            settings=EngineSettings(**settings),
            notify=self.notes.append,
        )
        self._n = 0

    # -- calls --------------------------------------------------------------------------------
    def call(self, action: str, env: str = "Sandbox", **params: str) -> dict:
        text = self.engine.handle(action, params, environment=env, request_id="req-1")
        doc = xmltodict.parse(text)[f"{action}Response"]
        assert doc["ResponseMetadata"]["RequestId"] == "req-1"
        return doc[f"{action}Result"]

    def error(self, action: str, env: str = "Sandbox", **params: str) -> SimulatorError:
        with pytest.raises(SimulatorError) as info:
            self.engine.handle(action, params, environment=env, request_id="req-1")
        return info.value

    def ref(self, letter: str) -> str:
        self._n += 1
        return f"{letter}-{self._n}"

    def money(self, prefix: str, amount: str) -> dict[str, str]:
        return {f"{prefix}.Amount": amount, f"{prefix}.CurrencyCode": self.region.currency}

    # -- flows --------------------------------------------------------------------------------
    def get_order(self, oro: str, env: str = "Sandbox", **extra: str) -> dict:
        result = self.call("GetOrderReferenceDetails", env, AmazonOrderReferenceId=oro, **extra)
        return result["OrderReferenceDetails"]

    def set_order(self, oro: str, total: str = "13800", env: str = "Sandbox", **extra: str) -> dict:
        params = {
            "AmazonOrderReferenceId": oro,
            **self.money("OrderReferenceAttributes.OrderTotal", total),
        }
        params.update({f"OrderReferenceAttributes.{k}": v for k, v in extra.items()})
        return self.call("SetOrderReferenceDetails", env, **params)["OrderReferenceDetails"]

    def open_order(self, total: str = "13800", env: str = "Sandbox", **create: Any) -> str:
        oro = self.engine.create_order_reference(environment=env, **create)
        self.set_order(oro, total, env)
        self.call("ConfirmOrderReference", env, AmazonOrderReferenceId=oro)
        return oro

    def authorize(
        self,
        oro: str,
        amount: str = "13800",
        *,
        timeout: str = "0",
        env: str = "Sandbox",
        **extra: str,
    ) -> dict:
        params = {
            "AmazonOrderReferenceId": oro,
            "AuthorizationReferenceId": extra.pop("ref", None) or self.ref("A"),
            "TransactionTimeout": timeout,
            **self.money("AuthorizationAmount", amount),
            **extra,
        }
        return self.call("Authorize", env, **params)["AuthorizationDetails"]

    def capture(
        self, auth_id: str, amount: str = "13800", env: str = "Sandbox", **extra: str
    ) -> dict:
        params = {
            "AmazonAuthorizationId": auth_id,
            "CaptureReferenceId": extra.pop("ref", None) or self.ref("C"),
            **self.money("CaptureAmount", amount),
            **extra,
        }
        return self.call("Capture", env, **params)["CaptureDetails"]

    def refund(self, cap_id: str, amount: str = "1000", env: str = "Sandbox", **extra: str) -> dict:
        params = {
            "AmazonCaptureId": cap_id,
            "RefundReferenceId": extra.pop("ref", None) or self.ref("R"),
            **self.money("RefundAmount", amount),
            **extra,
        }
        return self.call("Refund", env, **params)["RefundDetails"]

    def captured_order(self, total: str = "13800") -> tuple[str, str, str]:
        oro = self.open_order(total)
        auth = self.authorize(oro, total)["AmazonAuthorizationId"]
        cap = self.capture(auth, total)["AmazonCaptureId"]
        return oro, auth, cap

    def advance(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta))
        self.engine.advance()

    def state(self, object_id: str) -> tuple[str, str | None]:
        obj = self.engine.get_object(object_id)
        return obj["state"], obj["reason_code"]


@pytest.fixture
def h() -> Harness:
    return Harness()


# == create / Get / disclosure ===================================================================
def test_ids_follow_region_and_environment() -> None:
    for region, prefix in (("us", "S01"), ("uk", "S02"), ("de", "S02"), ("jp", "S03")):
        harness = Harness(region)
        oro = harness.engine.create_order_reference()
        assert oro.startswith(prefix + "-") and len(oro) == 19
        live = harness.engine.create_order_reference(environment="Live")
        assert live.startswith("P" + prefix[1:])


def test_ids_are_deterministic_from_the_seed() -> None:
    first, second, other = Harness(id_seed=7), Harness(id_seed=7), Harness(id_seed=8)
    ids = [first.engine.create_order_reference() for _ in range(3)]
    assert ids == [second.engine.create_order_reference() for _ in range(3)]
    assert ids[0] != other.engine.create_order_reference()


def test_draft_shows_coarse_address_without_buyer_jp(h: Harness) -> None:
    details = h.get_order(h.engine.create_order_reference())
    assert details["Destination"]["PhysicalDestination"] == {
        "StateOrRegion": "東京都",
        "PostalCode": "1500001",
        "CountryCode": "JP",
    }
    assert "Buyer" not in details
    assert details["IdList"] is None
    assert details["SellerOrderAttributes"] is None
    assert details["ReleaseEnvironment"] == "Sandbox"
    assert details["RequestPaymentAuthorization"] == "false"


def test_draft_shows_city_too_in_us() -> None:
    harness = Harness("us")
    details = harness.get_order(harness.engine.create_order_reference())
    assert set(details["Destination"]["PhysicalDestination"]) == {
        "City",
        "StateOrRegion",
        "PostalCode",
        "CountryCode",
    }


@pytest.mark.parametrize("token", ["AccessToken", "AddressConsentToken"])
def test_token_discloses_full_address_and_buyer_in_draft(h: Harness, token: str) -> None:
    details = h.get_order(h.engine.create_order_reference(), **{token: "Atza|token"})
    assert details["Destination"]["PhysicalDestination"]["AddressLine1"] == "渋谷区神宮前2-2-2"
    assert details["Buyer"] == {"Name": "吉田一郎", "Email": "gmail+sandbox@gmail.com"}


def test_invalid_token_is_refused(h: Harness) -> None:
    oro = h.engine.create_order_reference()
    err = h.error("GetOrderReferenceDetails", AmazonOrderReferenceId=oro, AccessToken="invalid")
    assert (err.code, err.status) == ("InvalidAddressConsentToken", 404)


def test_confirmed_order_discloses_everything(h: Harness) -> None:
    details = h.get_order(h.open_order())
    assert details["Destination"]["PhysicalDestination"]["Name"] == "吉田一郎"
    assert details["Buyer"]["Name"] == "吉田一郎"
    assert details["OrderReferenceStatus"]["State"] == "Open"
    assert details["OrderReferenceStatus"]["LastUpdateTimestamp"].endswith("Z")
    assert "Constraints" not in details


def test_custom_address_buyer_and_escaping(h: Harness) -> None:
    oro = h.engine.create_order_reference(
        address={
            "Name": "A & <B>",
            "AddressLine1": "x",
            "StateOrRegion": "大阪府",
            "PostalCode": "5300001",
            "CountryCode": "JP",
        },
        buyer={"Name": "Tom & Jerry", "Email": "t@example.com"},
    )
    h.set_order(oro, SellerNote="note <&> 注文")
    details = h.get_order(oro, AccessToken="t")
    assert details["Destination"]["PhysicalDestination"]["Name"] == "A & <B>"
    assert details["Buyer"]["Name"] == "Tom & Jerry"
    assert details["SellerNote"] == "note <&> 注文"
    h.engine.set_address(oro, {"Name": "C", "PostalCode": "1", "CountryCode": "JP"})
    assert h.get_order(oro, AccessToken="t")["Destination"]["PhysicalDestination"]["Name"] == "C"


def test_set_address_after_confirm_is_refused(h: Harness) -> None:
    oro = h.open_order()
    with pytest.raises(SimulatorError) as info:
        h.engine.set_address(oro, {"Name": "x"})
    assert info.value.code == "OrderReferenceNotModifiable"


# == constraints and confirm ====================================================================
def test_constraints_of_an_empty_draft(h: Harness) -> None:
    oro = h.engine.create_order_reference(address={}, payment_method="")
    ids = [c["ConstraintID"] for c in h.get_order(oro)["Constraints"]["Constraint"]]
    assert ids == ["ShippingAddressNotSet", "PaymentPlanNotSet", "AmountNotSet"]
    err = h.error("ConfirmOrderReference", AmazonOrderReferenceId=oro)
    assert (err.code, err.status) == ("ConstraintsExist", 400)
    assert "AmountNotSet" in err.message
    assert h.state(oro) == ("Draft", None)


def test_payment_method_not_allowed_from_the_wallet(h: Harness) -> None:
    oro = h.engine.create_order_reference(payment_method="not-allowed")
    details = h.set_order(oro)
    assert details["Constraints"]["Constraint"]["ConstraintID"] == "PaymentMethodNotAllowed"
    assert h.error("ConfirmOrderReference", AmazonOrderReferenceId=oro).code == "ConstraintsExist"
    h.engine.set_payment_method(oro, "visa-1111")
    h.call("ConfirmOrderReference", AmazonOrderReferenceId=oro)
    assert h.state(oro) == ("Open", None)


def test_confirm_open_again_is_a_no_op_and_closed_is_refused(h: Harness) -> None:
    oro = h.open_order()
    assert h.call("ConfirmOrderReference", AmazonOrderReferenceId=oro) is None
    h.call("CloseOrderReference", AmazonOrderReferenceId=oro)
    err = h.error("ConfirmOrderReference", AmazonOrderReferenceId=oro)
    assert (err.code, err.status) == ("InvalidOrderReferenceStatus", 405)


def test_expect_immediate_authorization_closes_after_an_hour(h: Harness) -> None:
    oro = h.engine.create_order_reference()
    h.set_order(oro)
    h.call("ConfirmOrderReference", AmazonOrderReferenceId=oro, ExpectImmediateAuthorization="true")
    h.advance(minutes=59)
    assert h.state(oro) == ("Open", None)
    h.advance(minutes=2)
    assert h.state(oro)[0] == "Closed"
    assert h.notes[-1].notification_type == "OrderReferenceNotification"


# == Set operations =============================================================================
def test_set_order_reference_details_after_confirm_is_405(h: Harness) -> None:
    oro = h.open_order()
    with pytest.raises(SimulatorError) as info:
        h.set_order(oro)
    assert (info.value.code, info.value.status) == ("OrderReferenceNotModifiable", 405)
    assert info.value.message == (
        f"OrderReference {oro} is not in draft state and cannot be modified with the request "
        "submitted by you."
    )


def test_set_order_reference_details_without_attributes_is_coral(h: Harness) -> None:
    oro = h.engine.create_order_reference()
    err = h.error("SetOrderReferenceDetails", AmazonOrderReferenceId=oro)
    assert (err.code, err.status) == ("InvalidParameterValue", 400)
    assert err.message == (
        "1 validation error detected: Value null at 'orderReferenceAttributes' failed to "
        "satisfy constraint: Member must not be null"
    )


def test_set_order_reference_details_fields(h: Harness) -> None:
    oro = h.engine.create_order_reference()
    details = h.set_order(
        oro,
        "1200",
        SellerNote="hello",
        PlatformId="PLAT",
        **{
            "SellerOrderAttributes.SellerOrderId": "order-1",
            "SellerOrderAttributes.StoreName": "shop",
            "SellerOrderAttributes.CustomInformation": "ci",
            "RequestPaymentAuthorization": "true",
        },
    )
    assert details["OrderTotal"] == {"Amount": "1200.00", "CurrencyCode": "JPY"}
    assert details["SellerNote"] == "hello"
    assert details["PlatformId"] == "PLAT"
    assert details["SellerOrderAttributes"] == {
        "SellerOrderId": "order-1",
        "StoreName": "shop",
        "CustomInformation": "ci",
    }
    assert details["RequestPaymentAuthorization"] == "true"
    assert "IdList" not in details  # seed 000: absent in the Set response


def test_set_order_attributes_draft_and_after_confirm(h: Harness) -> None:
    oro = h.engine.create_order_reference()
    result = h.call(
        "SetOrderAttributes",
        AmazonOrderReferenceId=oro,
        **h.money("OrderAttributes.OrderTotal", "500"),
        **{
            "OrderAttributes.SellerOrderAttributes.SellerOrderId": "o-9",
            "OrderAttributes.SellerOrderAttributes.OrderItemCategories.OrderItemCategory.1": "A",
            "OrderAttributes.SellerOrderAttributes.OrderItemCategories.OrderItemCategory.2": "B",
        },
    )["OrderReferenceDetails"]
    assert result["OrderTotal"]["Amount"] == "500.00"
    assert result["SellerOrderAttributes"]["OrderItemCategories"]["OrderItemCategory"] == ["A", "B"]
    h.call("ConfirmOrderReference", AmazonOrderReferenceId=oro)
    # after confirmation: other attributes yes, the amount no (spec 2.4)
    after = h.call(
        "SetOrderAttributes",
        AmazonOrderReferenceId=oro,
        **{"OrderAttributes.SellerOrderAttributes.CustomInformation": "later"},
    )["OrderReferenceDetails"]
    assert after["SellerOrderAttributes"]["CustomInformation"] == "later"
    assert after["SellerOrderAttributes"]["SellerOrderId"] == "o-9"
    err = h.error(
        "SetOrderAttributes",
        AmazonOrderReferenceId=oro,
        **h.money("OrderAttributes.OrderTotal", "1"),
    )
    assert (err.code, err.status) == ("OrderReferenceNotModifiable", 405)


def test_set_order_attributes_psp_once_after_confirm(h: Harness) -> None:
    oro = h.open_order()
    key = "OrderAttributes.PaymentServiceProviderAttributes.PaymentServiceProviderId"
    details = h.call("SetOrderAttributes", AmazonOrderReferenceId=oro, **{key: "PSP1"})
    psp = details["OrderReferenceDetails"]["PaymentServiceProviderAttributes"]
    assert psp["PaymentServiceProviderId"] == "PSP1"
    assert h.error("SetOrderAttributes", AmazonOrderReferenceId=oro, **{key: "PSP2"}).status == 405


# == cancel / close =============================================================================
def test_cancel_closes_open_authorizations(h: Harness) -> None:
    oro = h.open_order()
    auth = h.authorize(oro, "1000")["AmazonAuthorizationId"]
    h.call("CancelOrderReference", AmazonOrderReferenceId=oro, CancelationReason="out of stock")
    details = h.get_order(oro)
    assert details["OrderReferenceStatus"]["State"] == "Canceled"
    assert details["OrderReferenceStatus"]["ReasonCode"] == "SellerCanceled"
    assert details["OrderReferenceStatus"]["ReasonDescription"] == "out of stock"
    assert h.state(auth) == ("Closed", "OrderReferenceCanceled")
    # canceling twice is harmless; closing a canceled ORO is not allowed
    assert h.call("CancelOrderReference", AmazonOrderReferenceId=oro) is None
    err = h.error("CloseOrderReference", AmazonOrderReferenceId=oro)
    assert (err.code, err.status) == ("InvalidOrderReferenceStatus", 405)


def test_cancel_with_a_capture_is_refused(h: Harness) -> None:
    oro, _, _ = h.captured_order()
    err = h.error("CancelOrderReference", AmazonOrderReferenceId=oro)
    assert (err.code, err.status) == ("InvalidCancelAttempt", 405)


def test_cancel_and_close_a_draft_are_refused(h: Harness) -> None:
    oro = h.engine.create_order_reference()
    assert h.error("CancelOrderReference", AmazonOrderReferenceId=oro).status == 405
    assert h.error("CloseOrderReference", AmazonOrderReferenceId=oro).status == 405


def test_close_keeps_authorizations_capturable_but_blocks_new_ones(h: Harness) -> None:
    oro = h.open_order()
    auth = h.authorize(oro, "1000")["AmazonAuthorizationId"]
    h.call("CloseOrderReference", AmazonOrderReferenceId=oro, ClosureReason="done")
    assert h.state(oro) == ("Closed", "SellerClosed")
    assert h.call("CloseOrderReference", AmazonOrderReferenceId=oro) is None
    assert h.state(auth) == ("Open", None)
    assert h.capture(auth, "1000")["CaptureStatus"]["State"] == "Completed"
    err = h.error(
        "Authorize",
        AmazonOrderReferenceId=oro,
        AuthorizationReferenceId="x",
        **h.money("AuthorizationAmount", "1"),
    )
    assert (err.code, err.status) == ("InvalidOrderReferenceStatus", 405)


def test_authorize_on_draft_is_405(h: Harness) -> None:
    oro = h.engine.create_order_reference()
    h.set_order(oro)
    err = h.error(
        "Authorize",
        AmazonOrderReferenceId=oro,
        AuthorizationReferenceId="x",
        **h.money("AuthorizationAmount", "1"),
    )
    assert (err.code, err.status) == ("InvalidOrderReferenceStatus", 405)


# == lookups and environments ===================================================================
def test_unknown_order_reference_is_404_with_amazons_message(h: Harness) -> None:
    err = h.error("GetOrderReferenceDetails", AmazonOrderReferenceId="S00-0000000-0000000")
    assert (err.code, err.status) == ("InvalidOrderReferenceId", 404)
    assert err.message == "The OrderReferenceId S00-0000000-0000000 is invalid."
    assert h.error("GetOrderReferenceDetails", AmazonOrderReferenceId="junk").status == 404


def test_sandbox_id_on_the_live_path_is_internal_server_error(h: Harness) -> None:
    oro = h.engine.create_order_reference()
    err = h.error("GetOrderReferenceDetails", "Live", AmazonOrderReferenceId=oro)
    assert (err.code, err.status, err.type) == ("InternalServerError", 500, "Receiver")
    live = h.engine.create_order_reference(environment="Live")
    assert h.error("GetOrderReferenceDetails", AmazonOrderReferenceId=live).status == 500
    assert h.get_order(live, "Live")["ReleaseEnvironment"] == "Live"


def test_unknown_transaction_ids_are_404(h: Harness) -> None:
    oro, auth, cap = h.captured_order()
    err = h.error("GetAuthorizationDetails", AmazonAuthorizationId=cap)
    assert (err.code, err.status) == ("InvalidTransactionId", 404)
    assert err.message == f"The TransactionId {cap} is invalid."
    assert h.error("GetCaptureDetails", AmazonCaptureId=auth).code == "InvalidTransactionId"
    assert (
        h.error("GetRefundDetails", AmazonRefundId=oro + "-R000000").code == "InvalidTransactionId"
    )
    err = h.error(
        "Refund", AmazonCaptureId=auth, RefundReferenceId="r", **h.money("RefundAmount", "1")
    )
    assert err.code == "InvalidTransactionId"
    assert h.error("GetAuthorizationDetails", "Live", AmazonAuthorizationId=auth).status == 500


def test_missing_required_parameter_is_coral(h: Harness) -> None:
    err = h.error("GetOrderReferenceDetails")
    assert (err.code, err.status) == ("InvalidParameterValue", 400)
    assert "Value null at 'amazonOrderReferenceId'" in err.message
    assert h.error("GetAuthorizationDetails").code == "InvalidParameterValue"


def test_unknown_action(h: Harness) -> None:
    err = h.error("ListOrderReference")
    assert (err.code, err.status) == ("InvalidAddress", 404)
    assert "Authorize" in h.engine.known_actions
    assert len(h.engine.known_actions) == 15


def test_service_and_merchant_status(h: Harness) -> None:
    status = h.call("GetServiceStatus")
    assert status["Status"] == "GREEN"
    assert status["Timestamp"] == "2018-02-17T15:19:06.399Z"
    assert h.call("GetMerchantAccountStatus")["AccountStatus"] == "ACTIVE"


def test_response_namespace_and_empty_result(h: Harness) -> None:
    oro = h.engine.create_order_reference()
    h.set_order(oro)
    text = h.engine.handle(
        "ConfirmOrderReference",
        {"AmazonOrderReferenceId": oro},
        environment="Sandbox",
        request_id="abc",
    )
    assert (
        '<ConfirmOrderReferenceResponse xmlns="http://mws.amazonservices.com/schema/'
        'OffAmazonPayments/2013-01-01"><ConfirmOrderReferenceResult/>'
    ) in text
    assert "<RequestId>abc</RequestId>" in text


def test_payment_methods_catalogue(h: Harness) -> None:
    methods = h.engine.payment_methods()
    outcomes = {m["outcome"] for m in methods}
    assert {
        None,
        "InvalidPaymentMethod",
        "AmazonRejected",
        "TransactionTimedOut",
        "ProcessingFailure",
        "PaymentMethodNotAllowed",
    } <= outcomes
    hard = [m for m in methods if m["outcome"] == "InvalidPaymentMethod" and not m["soft_decline"]]
    assert hard and methods[0] == {
        "id": "visa-1111",
        "label": "Visa ****1111",
        "outcome": None,
        "soft_decline": False,
    }
    with pytest.raises(SimulatorError):
        h.engine.create_order_reference(payment_method="nope")
    oro = h.open_order()
    with pytest.raises(SimulatorError) as info:
        h.engine.set_payment_method(oro, "jcb-3333")  # Open: the wallet is read-only
    assert info.value.status == 405


def test_get_object_unknown_raises_key_error(h: Harness) -> None:
    with pytest.raises(KeyError):
        h.engine.get_object("S03-0000000-0000000")
