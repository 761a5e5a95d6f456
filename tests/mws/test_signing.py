"""Signature V2: the spec's published vectors (1.4.1) and byte equality with the official SDK."""

from __future__ import annotations

import datetime as _dt
from types import SimpleNamespace
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from django_amazonpay.mws import signing

JAVA = {
    "AWSAccessKeyId": "TEST_ACCESS_KEY",
    "SellerId": "TEST_MERCHANT_ID",
    "SignatureMethod": "HmacSHA256",
    "SignatureVersion": "2",
    "Timestamp": "2015-12-31T23:59:58Z",
    "Version": "2013-01-01",
}
JAVA_URL = "https://mws.amazonservices.com/OffAmazonPayments_Sandbox/2013-01-01"
ORO = {"AmazonOrderReferenceId": "AMAZON_ORDER_REFERENCE_ID"}
OVERRIDE = {"SellerId": "OVERRIDE_SELLER_ID", "MWSAuthToken": "TEST_MWS_AUTH_TOKEN"}
SCA = {
    "AuthorizationAmount.Amount": "0.01",
    "AuthorizationAmount.CurrencyCode": "EUR",
    "FailureUrl": "https://pay.amazon.com/failure.html",
    "SuccessUrl": "https://pay.amazon.com/success.html",
}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {"Action": "GetOrderReferenceDetails", **ORO},
            "cpkDC72d5lMIbo5ET2dvERTw4F2cGQJL3eQPzUe2pAE=",
        ),
        (
            {"Action": "GetOrderReferenceDetails", **ORO, **OVERRIDE},
            "MelQJXDdQJ85Z7aB85s7eYWm5TdGv6xYAQt/joOhXCo=",
        ),
        (
            {
                "Action": "SetOrderReferenceDetails",
                **ORO,
                "OrderReferenceAttributes.OrderTotal.Amount": "2",
                "OrderReferenceAttributes.OrderTotal.CurrencyCode": "USD",
            },
            "i51MSGv9O2G2LHIlhCXLigA3ZKaZRoc7Mb5A1VX2QTA=",
        ),
        (
            {"Action": "ConfirmOrderReference", **ORO, **OVERRIDE},
            "mbJBrZKC4Jz8J+rhRqyfYsY6TkSapWOvCTlC+UDUTok=",
        ),
        (
            {"Action": "ConfirmOrderReference", **ORO, **OVERRIDE, **SCA},
            "KeZbecFqPMxhR4g35iFWsdLmq1rAgwdn4B2WTIFMTHg=",
        ),
    ],
)
def test_java_sdk_vectors(extra: dict[str, str], expected: str) -> None:
    params = {**JAVA, **extra}
    assert signing.signature("POST", JAVA_URL, params, "TEST_SECRET_KEY") == expected


def test_java_string_to_sign_first_row() -> None:
    params = {**JAVA, "Action": "GetOrderReferenceDetails", **ORO}
    text = signing.string_to_sign(
        "POST",
        signing.signing_host(JAVA_URL),
        signing.signing_path(JAVA_URL),
        signing.canonical_query(params),
    )
    assert text == (
        "POST\nmws.amazonservices.com\n/OffAmazonPayments_Sandbox/2013-01-01\n"
        "AWSAccessKeyId=TEST_ACCESS_KEY&Action=GetOrderReferenceDetails"
        "&AmazonOrderReferenceId=AMAZON_ORDER_REFERENCE_ID&SellerId=TEST_MERCHANT_ID"
        "&SignatureMethod=HmacSHA256&SignatureVersion=2"
        "&Timestamp=2015-12-31T23%3A59%3A58Z&Version=2013-01-01"
    )


def test_python_sdk_hmac_vector() -> None:
    expected = "JQZYxe8EFlLE3XCAWotsn329rpZF7OFYhA8oo7rUV2E="
    assert signing.hmac_sha256("mws_secret_key", "my_test_string") == expected


JP_AUTHORIZE = {
    "AWSAccessKeyId": "AKIAEXAMPLE",
    "Action": "Authorize",
    "SellerId": "A1SELLER",
    "SignatureMethod": "HmacSHA256",
    "SignatureVersion": "2",
    "Timestamp": "2018-02-17T15:19:18Z",
    "Version": "2013-01-01",
    "AmazonOrderReferenceId": "S03-1571525-4435073",
    "AuthorizationReferenceId": "A-1-180206",
    "AuthorizationAmount.Amount": "13800",
    "AuthorizationAmount.CurrencyCode": "JPY",
    "TransactionTimeout": "0",
    "CaptureNow": "false",
    "SellerAuthorizationNote": "ご注文 #1 a+b*c~d/e",
}
JP_URL = "https://mws.amazonservices.jp/OffAmazonPayments_Sandbox/2013-01-01"


def test_computed_jp_authorize_vector() -> None:
    assert (
        signing.signature("POST", JP_URL, JP_AUTHORIZE, "secret/Key+1")
        == "UwwMn1KtV0Rb2H1O1piTc9VQnllxTJbrNdN1NFFi1OA="
    )
    assert "%E3%81%94%E6%B3%A8%E6%96%87%20%231%20a%2Bb%2Ac~d%2Fe" in signing.canonical_query(
        JP_AUTHORIZE
    )


def test_body_carries_the_signed_query_and_the_encoded_signature_last() -> None:
    body = signing.signed_body("POST", JP_URL, JP_AUTHORIZE, "secret/Key+1")
    assert body.endswith("&Signature=UwwMn1KtV0Rb2H1O1piTc9VQnllxTJbrNdN1NFFi1OA%3D")
    decoded = dict(parse_qsl(body, keep_blank_values=True))
    assert decoded["SellerAuthorizationNote"] == "ご注文 #1 a+b*c~d/e"


def test_mws_package_get_vector() -> None:
    """The `mws` 0.8.15 GET: its own parameters, our signer, trailing-slash path (spec 1.4.1)."""
    from mws.offamazonpayments import OffAmazonPayments

    api = OffAmazonPayments(
        "AKIAEXAMPLE",
        "secret",
        "A1SELLER",
        region="JP",
        uri="/OffAmazonPayments_Sandbox/2013-01-01/",
    )
    api.make_request = lambda extra_data, method="GET", **kw: (extra_data, method)
    data, method = api.get_order_reference_details("S03-1571525-4435073")
    params = {**api.get_params(), **data, "Timestamp": "2021-10-01T12:34:56"}
    url = "https://mws.amazonservices.jp/OffAmazonPayments_Sandbox/2013-01-01/"
    assert method == "GET"
    assert signing.signature(method, url, params, "secret") == (
        "LeojC31ZwKHZKbUAloosE8H3jsOGtXPRGEunNxWzwzA="
    )


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        (" ", "%20"),
        ("*", "%2A"),
        ("~", "~"),
        ("+", "%2B"),
        ("/", "%2F"),
        ("=", "%3D"),
        ("aZ09-_.", "aZ09-_."),
        ("é", "%C3%A9"),
        ("", ""),
        # the unchanged fast path must stop at the first character outside A-Za-z0-9-_.~
        ("AZaz09-_.~", "AZaz09-_.~"),
        ("2026-11-23T10:00:00Z", "2026-11-23T10%3A00%3A00Z"),
        ("abc\n", "abc%0A"),
        ("ａ", "%EF%BD%81"),
        ("١٢", "%D9%A1%D9%A2"),
    ],
)
def test_rfc3986_encoding(raw: str, encoded: str) -> None:
    assert signing.encode(raw) == encoded


def test_host_keeps_only_non_default_ports_and_is_lowercased() -> None:
    assert signing.signing_host("https://MWS.AmazonServices.JP/x") == "mws.amazonservices.jp"
    assert signing.signing_host("https://mws.amazonservices.jp:443/x") == "mws.amazonservices.jp"
    assert signing.signing_host("http://127.0.0.1:8001/x") == "127.0.0.1:8001"
    assert signing.signing_host("http://localhost:80/") == "localhost"
    assert signing.signing_path("http://localhost:8001") == "/"


def test_get_and_post_sign_differently() -> None:
    params = {**JAVA, "Action": "GetServiceStatus"}
    assert signing.signature("GET", JAVA_URL, params, "k") != signing.signature(
        "POST", JAVA_URL, params, "k"
    )


def test_timestamp_is_utc_with_z() -> None:
    moment = _dt.datetime(2018, 2, 17, 15, 19, 18, 999, tzinfo=_dt.timezone.utc)
    assert signing.timestamp(moment) == "2018-02-17T15:19:18Z"
    tokyo = moment.astimezone(_dt.timezone(_dt.timedelta(hours=9)))
    assert signing.timestamp(tokyo) == "2018-02-17T15:19:18Z"


# -- byte equality with the official amazon_pay 2.7.1 SDK -------------------------------------

FROZEN = _dt.datetime(2018, 2, 17, 15, 19, 18)


def _sdk_signed(
    monkeypatch: pytest.MonkeyPatch, params: dict[str, str], endpoint: str, secret: str
) -> dict[str, str]:
    """Run the SDK's own `_querystring` with its clock frozen; its body, decoded."""
    import amazon_pay.payment_request as pr

    fake_datetime = SimpleNamespace(datetime=SimpleNamespace(utcnow=lambda: FROZEN))
    monkeypatch.setattr(pr, "datetime", fake_datetime)
    request = pr.PaymentRequest(
        params=params,
        config={
            "mws_access_key": "AKIAEXAMPLE",
            "mws_secret_key": secret,
            "api_version": "2013-01-01",
            "merchant_id": "A1SELLER",
            "mws_endpoint": endpoint,
            "headers": {},
            "handle_throttle": False,
        },
    )
    body = request._querystring(params).decode()
    return dict(parse_qsl(body, keep_blank_values=True))


def _ours(params: dict[str, str], endpoint: str, secret: str) -> dict[str, str]:
    full = signing.common_params(
        action=params["Action"],
        version="2013-01-01",
        access_key="AKIAEXAMPLE",
        seller_id="A1SELLER",
        now=FROZEN.replace(tzinfo=_dt.timezone.utc),
    )
    full.update(params)
    body = signing.signed_body("POST", endpoint, full, secret)
    return dict(parse_qsl(body, keep_blank_values=True))


SDK_CASES = [
    {"Action": "GetOrderReferenceDetails", "AmazonOrderReferenceId": "S03-1571525-4435073"},
    {k: v for k, v in JP_AUTHORIZE.items() if k not in JAVA},
    {
        "Action": "SetOrderReferenceDetails",
        "OrderReferenceAttributes.SellerNote": "",
        "OrderReferenceAttributes.OrderTotal.Amount": "13800",
    },
    {"Action": "CloseOrderReference", "ClosureReason": "お客様 の 都合 * ~ + / = & ? %"},
    {"Action": "Capture", "SellerCaptureNote": "x" * 1024, "CaptureReferenceId": "C-1_2"},
    {"Action": "Refund", "SellerRefundNote": "tab\tnewline\nquote\"'<>", "RefundReferenceId": "R"},
    {"Action": "GetServiceStatus"},
]


@pytest.mark.parametrize("params", SDK_CASES)
@pytest.mark.parametrize(
    "endpoint",
    [JP_URL, "https://mws.amazonservices.com/OffAmazonPayments/2013-01-01"],
)
def test_byte_equal_to_the_official_sdk(
    monkeypatch: pytest.MonkeyPatch, params: dict[str, str], endpoint: str
) -> None:
    assert _ours(params, endpoint, "secret/Key+1") == _sdk_signed(
        monkeypatch, params, endpoint, "secret/Key+1"
    )


_names = st.sampled_from(
    ["SellerNote", "OrderReferenceAttributes.SellerNote", "A", "a.b.c", "Z_9", "CustomInformation"]
)
_values = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)


@settings(max_examples=150, deadline=None)
@given(extra=st.dictionaries(_names, _values, max_size=5), secret=st.text(min_size=1, max_size=40))
def test_byte_equal_to_the_official_sdk_for_any_text(extra: dict[str, str], secret: str) -> None:
    params = {"Action": "SetOrderAttributes", **extra}
    with pytest.MonkeyPatch.context() as monkeypatch:
        secret = secret.encode("utf-8", "replace").decode("utf-8", "replace")
        if any("\ud800" <= ch <= "\udfff" for ch in secret):
            return
        assert _ours(params, JP_URL, secret) == _sdk_signed(monkeypatch, params, JP_URL, secret)
