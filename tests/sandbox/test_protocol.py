"""The simulator's wire: signatures, parameters, errors and throttling (spec 1, 2.1, 8).

Requests here are signed by a small signer written in this file (urllib's quote), not by the
simulator's auth module, so the check is not one implementation agreeing with itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest
import requests

from django_amazonpay.sandbox import auth
from django_amazonpay.sandbox.auth import SIGNATURE_MISMATCH, sign, string_to_sign

NS = "{http://mws.amazonservices.com/schema/OffAmazonPayments/2013-01-01}"
HOST = "mws.amazonservices.jp"
SANDBOX = "/OffAmazonPayments_Sandbox/2013-01-01"
LIVE = "/OffAmazonPayments/2013-01-01"


def parse(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - the simulator's own output, in a test


# -- an independent client -----------------------------------------------------------------
def q(value: str) -> str:
    return quote(value, safe="-_.~")


def signed(params: dict, secret: str, method: str, host: str, path: str, algo: str = "sha256"):
    canonical = "&".join(f"{q(k)}={q(v)}" for k, v in sorted(params.items()))
    message = f"{method}\n{host.lower()}\n{path}\n{canonical}"
    digest = hmac.new(secret.encode(), message.encode(), getattr(hashlib, algo)).digest()
    return {**params, "Signature": base64.b64encode(digest).decode()}


def common(sim, action: str, **extra: str) -> dict:
    return {
        "AWSAccessKeyId": sim.access_key,
        "Action": action,
        "SellerId": sim.seller_id,
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": sim.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2013-01-01",
        **extra,
    }


def call(
    session,
    sim,
    action: str,
    *,
    method: str = "POST",
    path: str = SANDBOX,
    host: str = HOST,
    secret: str | None = None,
    base: str | None = None,
    timeout=None,
    **extra: str,
) -> requests.Response:
    params = signed(common(sim, action, **extra), secret or sim.credentials[sim.access_key],
                    method, host, path)  # fmt: skip
    url = (base or f"https://{host}") + path
    if method == "GET":
        return session.get(url + "?" + urlencode(params, quote_via=quote), timeout=timeout)
    return session.post(url, data=urlencode(params), timeout=timeout, headers={
        "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip


def error_of(response: requests.Response) -> tuple[str, str, str]:
    root = parse(response.content)
    assert root.tag == NS + "ErrorResponse"
    return (root.findtext(f"{NS}Error/{NS}Type"), root.findtext(f"{NS}Error/{NS}Code"),
            root.findtext(f"{NS}Error/{NS}Message"))  # fmt: skip


def state_of(response: requests.Response) -> str:
    root = parse(response.content)
    return root.find(f".//{NS}OrderReferenceStatus/{NS}State").text


@pytest.fixture
def oro(sim):
    return sim.create_order_reference(payment_method=None)


# -- Signature V2 --------------------------------------------------------------------------
JAVA = dict(
    AWSAccessKeyId="TEST_ACCESS_KEY", SellerId="TEST_MERCHANT_ID", SignatureMethod="HmacSHA256",
    SignatureVersion="2", Timestamp="2015-12-31T23:59:58Z", Version="2013-01-01",
)  # fmt: skip


@pytest.mark.parametrize(
    "extra, expected",
    [
        ({"Action": "GetOrderReferenceDetails",
          "AmazonOrderReferenceId": "AMAZON_ORDER_REFERENCE_ID"},
         "cpkDC72d5lMIbo5ET2dvERTw4F2cGQJL3eQPzUe2pAE="),
        ({"Action": "GetOrderReferenceDetails",
          "AmazonOrderReferenceId": "AMAZON_ORDER_REFERENCE_ID",
          "SellerId": "OVERRIDE_SELLER_ID", "MWSAuthToken": "TEST_MWS_AUTH_TOKEN"},
         "MelQJXDdQJ85Z7aB85s7eYWm5TdGv6xYAQt/joOhXCo="),
        ({"Action": "SetOrderReferenceDetails",
          "AmazonOrderReferenceId": "AMAZON_ORDER_REFERENCE_ID",
          "OrderReferenceAttributes.OrderTotal.Amount": "2",
          "OrderReferenceAttributes.OrderTotal.CurrencyCode": "USD"},
         "i51MSGv9O2G2LHIlhCXLigA3ZKaZRoc7Mb5A1VX2QTA="),
        ({"Action": "ConfirmOrderReference", "AmazonOrderReferenceId": "AMAZON_ORDER_REFERENCE_ID",
          "SellerId": "OVERRIDE_SELLER_ID", "MWSAuthToken": "TEST_MWS_AUTH_TOKEN"},
         "mbJBrZKC4Jz8J+rhRqyfYsY6TkSapWOvCTlC+UDUTok="),
        ({"Action": "ConfirmOrderReference", "AmazonOrderReferenceId": "AMAZON_ORDER_REFERENCE_ID",
          "SellerId": "OVERRIDE_SELLER_ID", "MWSAuthToken": "TEST_MWS_AUTH_TOKEN",
          "AuthorizationAmount.Amount": "0.01", "AuthorizationAmount.CurrencyCode": "EUR",
          "FailureUrl": "https://pay.amazon.com/failure.html",
          "SuccessUrl": "https://pay.amazon.com/success.html"},
         "KeZbecFqPMxhR4g35iFWsdLmq1rAgwdn4B2WTIFMTHg="),
    ],
)  # fmt: skip
def test_java_sdk_vectors(extra, expected):
    params = {**JAVA, **extra}
    message = string_to_sign("POST", "mws.amazonservices.com", SANDBOX, params)
    assert sign("TEST_SECRET_KEY", message) == expected
    assert auth.signature_matches(
        secret_key="TEST_SECRET_KEY", method="POST", host="mws.amazonservices.com",
        path=SANDBOX, params={**params, "Signature": expected},
    )  # fmt: skip


def test_python_sdk_hmac_and_jp_vector():
    assert (
        sign("mws_secret_key", "my_test_string") == "JQZYxe8EFlLE3XCAWotsn329rpZF7OFYhA8oo7rUV2E="
    )
    params = {
        "AWSAccessKeyId": "AKIAEXAMPLE", "Action": "Authorize", "SellerId": "A1SELLER",
        "SignatureMethod": "HmacSHA256", "SignatureVersion": "2",
        "Timestamp": "2018-02-17T15:19:18Z", "Version": "2013-01-01",
        "AmazonOrderReferenceId": "S03-1571525-4435073",
        "AuthorizationReferenceId": "A-1-180206", "AuthorizationAmount.Amount": "13800",
        "AuthorizationAmount.CurrencyCode": "JPY", "TransactionTimeout": "0",
        "CaptureNow": "false", "SellerAuthorizationNote": "ご注文 #1 a+b*c~d/e",
    }  # fmt: skip
    message = string_to_sign("POST", HOST, SANDBOX, params)
    assert "%E3%81%94%E6%B3%A8%E6%96%87%20%231%20a%2Bb%2Ac~d%2Fe" in message
    assert sign("secret/Key+1", message) == "UwwMn1KtV0Rb2H1O1piTc9VQnllxTJbrNdN1NFFi1OA="


def test_mws_package_get_vector_with_trailing_slash_and_zoneless_timestamp():
    from mws.offamazonpayments import OffAmazonPayments

    api = OffAmazonPayments("AKIAEXAMPLE", "secret", "A1SELLER", region="JP",
                            uri="/OffAmazonPayments_Sandbox/2013-01-01/")  # fmt: skip
    api.make_request = lambda extra_data, method="GET", **kw: (extra_data, method)
    data, method = api.get_order_reference_details("S03-1571525-4435073")
    assert method == "GET"
    params = {**api.get_params(), **data, "Timestamp": "2021-10-01T12:34:56"}
    message = string_to_sign("GET", HOST, SANDBOX + "/", params)
    assert sign("secret", message) == "LeojC31ZwKHZKbUAloosE8H3jsOGtXPRGEunNxWzwzA="


def test_timestamps_with_and_without_fraction_and_zone():
    a = auth.parse_timestamp("2021-10-01T12:34:56")
    assert auth.parse_timestamp("2021-10-01T12:34:56Z") == a
    assert auth.parse_timestamp("2021-10-01T12:34:56.000Z") == a
    assert auth.parse_timestamp("2021-10-01T21:34:56+09:00") == a
    with pytest.raises(ValueError):
        auth.parse_timestamp("yesterday")


# -- requests over the in-process adapter ----------------------------------------------------
def test_post_form_and_get_query_with_and_without_trailing_slash(sim, session, oro):
    for method in ("POST", "GET"):
        for path in (SANDBOX, SANDBOX + "/"):
            r = call(session, sim, "GetOrderReferenceDetails", method=method, path=path,
                     AmazonOrderReferenceId=oro)  # fmt: skip
            assert r.status_code == 200, r.text
            assert r.headers["Content-Type"] == "text/xml"
            assert r.headers["x-mws-request-id"]
            assert r.headers["x-mws-timestamp"].endswith("Z")
            root = parse(r.content)
            assert root.tag == NS + "GetOrderReferenceDetailsResponse"
            assert (
                root.findtext(f"{NS}ResponseMetadata/{NS}RequestId")
                == r.headers["x-mws-request-id"]
            )


def test_plus_in_body_is_a_space_and_sha1_and_port_are_accepted(sim, session, oro):
    note = "ご注文 #1 a+b*c~d/e"
    params = signed(common(sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro,
                           SellerNote=note, SignatureMethod="HmacSHA1"),
                    sim.credentials[sim.access_key], "POST", "localhost:8443", SANDBOX,
                    algo="sha1")  # fmt: skip
    body = urlencode(params)  # spaces become "+", as the Python SDK sends them
    assert "+%231+" in body
    sim.mount(session, "https://localhost:8443/")
    r = session.post("https://localhost:8443" + SANDBOX, data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert r.status_code == 200, r.text


def test_signature_over_http_scheme_host_is_accepted(sim, session, oro):
    # the mws package keeps "http://" in the signed host when its domain is http:// (spec 1.2)
    r = call(session, sim, "GetOrderReferenceDetails", method="GET", host=HOST,
             AmazonOrderReferenceId=oro)  # fmt: skip
    assert r.status_code == 200
    params = signed(common(sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro),
                    sim.credentials[sim.access_key], "GET", "http://" + HOST, SANDBOX)  # fmt: skip
    r = session.get(f"https://{HOST}{SANDBOX}?" + urlencode(params))
    assert r.status_code == 200, r.text


def test_wrong_signature_is_403_signature_does_not_match(sim, session, oro):
    r = call(session, sim, "GetOrderReferenceDetails", secret="wrong", AmazonOrderReferenceId=oro)
    assert r.status_code == 403
    assert r.headers["Content-Type"] == "text/xml"
    assert error_of(r) == ("Sender", "SignatureDoesNotMatch", SIGNATURE_MISMATCH)
    root = parse(r.content)
    assert root.find(f"{NS}RequestId").text == r.headers["x-mws-request-id"]
    # signed over another path than the one used
    params = signed(common(sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro),
                    sim.credentials[sim.access_key], "POST", HOST, SANDBOX + "/")  # fmt: skip
    r = session.post(f"https://{HOST}{SANDBOX}", data=params)
    assert error_of(r)[1] == "SignatureDoesNotMatch"


def test_unknown_access_key_is_403(sim, session, oro):
    params = signed({**common(sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro),
                     "AWSAccessKeyId": "AKIANOBODY"}, "x", "POST", HOST, SANDBOX)  # fmt: skip
    r = session.post(f"https://{HOST}{SANDBOX}", data=params)
    assert r.status_code == 403
    assert error_of(r)[1] == "InvalidAccessKeyId"


def test_extra_credentials_are_accepted(amazon_pay_simulator_credentials):
    from django_amazonpay.sandbox.simulator import Simulator

    sim = Simulator(**amazon_pay_simulator_credentials, extra_credentials={"AKIA2": "s2"})
    s = requests.Session()
    sim.mount(s)
    oro = sim.create_order_reference()
    params = signed({**common(sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro),
                     "AWSAccessKeyId": "AKIA2"}, "s2", "POST", HOST, SANDBOX)  # fmt: skip
    assert s.post(f"https://{HOST}{SANDBOX}", data=params).status_code == 200


def test_other_seller_is_401_unauthorized_access(sim, session, oro):
    r = call(session, sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro,
             SellerId="A2OTHERSELLER")  # fmt: skip
    assert r.status_code == 401
    assert error_of(r)[1] == "UnauthorizedAccess"


@pytest.mark.parametrize("missing", ["Timestamp", "Action", "SellerId", "Version"])
def test_missing_common_parameter_is_400(sim, session, oro, missing):
    params = common(sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro)
    del params[missing]
    params = signed(params, sim.credentials[sim.access_key], "POST", HOST, SANDBOX)
    r = session.post(f"https://{HOST}{SANDBOX}", data=params)
    assert r.status_code == 400
    assert error_of(r)[1] == "MissingParameter"


def test_timestamp_skew_over_15_minutes_is_rejected(sim, session, oro):
    for minutes, status in ((-16, 400), (16, 400), (-14, 200), (14, 200)):
        stamp = (sim.clock.now() + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        r = call(session, sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro,
                 Timestamp=stamp)  # fmt: skip
        assert r.status_code == status, minutes
        if status == 400:
            assert error_of(r)[1] == "InvalidParameterValue"


def test_unknown_path_and_unknown_action(sim, session):
    r = session.post(f"https://{HOST}/Nope/2013-01-01", data={"Action": "X"})
    assert r.status_code == 404
    assert error_of(r)[1] == "InvalidAddress"
    r = call(session, sim, "MakeMeRich")
    assert r.status_code == 404
    assert error_of(r)[1] == "InvalidAddress"


def test_engine_errors_keep_their_status(sim, session):
    r = call(session, sim, "GetOrderReferenceDetails", AmazonOrderReferenceId="S03-0000000-0000000")
    assert r.status_code == 404
    assert error_of(r)[:2] == ("Sender", "InvalidOrderReferenceId")


# -- throttling (spec 2.1) -----------------------------------------------------------------
def test_throttling_is_off_by_default(sim, session, oro):
    for _ in range(30):
        r = call(session, sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro)
        assert r.status_code == 200


def _burst(session, sim, oro, path, n):
    codes = [call(session, sim, "GetOrderReferenceDetails", path=path,
                  AmazonOrderReferenceId=oro).status_code for _ in range(n)]  # fmt: skip
    return codes


def test_sandbox_and_production_quotas_and_restore(sim, session, oro):
    sim.throttle.enabled = True
    assert _burst(session, sim, oro, SANDBOX, 6) == [200] * 5 + [503]
    r = call(session, sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro)
    assert r.status_code == 503
    root = parse(r.content)
    assert root.findtext(f"{NS}Error/{NS}Code") == "RequestThrottled"
    assert root.findtext(f"{NS}Error/{NS}Type") == ""
    assert root.find(f"{NS}RequestID") is not None  # observed capital ID (spec 1.6)
    sim.clock.advance(1)  # sandbox read restore: 1 per second
    assert _burst(session, sim, oro, SANDBOX, 2) == [200, 503]
    sim.clock.advance(10)
    assert _burst(session, sim, oro, SANDBOX, 6) == [200] * 5 + [503]
    # the production path has its own, larger bucket: 20, 2 per second
    live_oro = sim.create_order_reference(environment="Live")
    assert _burst(session, sim, live_oro, LIVE, 21) == [200] * 20 + [503]
    sim.clock.advance(1)
    assert _burst(session, sim, live_oro, LIVE, 3) == [200, 200, 503]


def test_write_operations_have_their_own_bucket(sim, session, oro):
    sim.throttle.enabled = True
    codes = [call(session, sim, "CloseOrderReference", AmazonOrderReferenceId=oro).status_code
             for _ in range(3)]  # fmt: skip
    assert codes[2] == 503 and 503 not in codes[:2]
    assert call(session, sim, "GetOrderReferenceDetails",
                AmazonOrderReferenceId=oro).status_code == 200  # fmt: skip


def test_forced_production_mode(amazon_pay_simulator_credentials):
    from django_amazonpay.sandbox.simulator import Simulator

    sim = Simulator(**amazon_pay_simulator_credentials, throttle="production")
    s = requests.Session()
    sim.mount(s)
    oro = sim.create_order_reference()
    assert _burst(s, sim, oro, SANDBOX, 21) == [200] * 20 + [503]
