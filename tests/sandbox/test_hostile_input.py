"""Whatever a client sends, the simulator answers below 500 (property-based).

Paths, methods, query strings, headers and bodies are generated against every route: the MWS
wire (signed requests with hostile parameters too), the buyer pages, the control routes (as
staff, as a stranger, with and without the control token) and unknown paths; a posted state
is a real snapshot with one value replaced, and the engine then runs on it. The only 5xx
allowed is the one an injected fault answers, and the test injects none: a generated request
that would inject one is discarded. Every answer is also well formed for its route: headers a
server can send, parseable XML on the MWS wire, the JSON error shape on JSON routes.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, assume, given
from hypothesis import strategies as st

from django_amazonpay.sandbox.access import CONTROL_GRANTED
from django_amazonpay.sandbox.faults import KINDS
from django_amazonpay.sandbox.inbound import MAX_BODY_BYTES
from django_amazonpay.sandbox.simulator import Simulator
from django_amazonpay.sandbox.wsgi import DEFER_DELAY, ConnectionDropped
from django_amazonpay.testing import DEFAULT_CREDENTIALS
from tests.hostile_settings import hostile_settings

from .test_protocol import HOST, common, signed

HYPOTHESIS = hostile_settings(150, suppress=[HealthCheck.too_slow, HealthCheck.data_too_large])
NASTY = st.one_of(
    st.text(max_size=30),
    st.sampled_from([
        "", "\x00", "\x01\x1f\x7f", "\r\nX-Injected: 1", "🙇‍♂️" * 40, "x" * 3000, "NaN",
        "Infinity", "-1", "1e309", "0.001", "99999999999999999999999", "1500", "1500.00", "JPY",
        "USD", "S03-0000000-0000000", "S03-0000000-0000000-A000000", "../../etc/passwd",
        "<script>alert(1)</script>", "]]>&lt;", "true", "0", "1440", "%00", "%E3%81",
        '{"SandboxSimulation": {"State": "Declined", "ReasonCode": "InvalidPaymentMethod", '
        '"PaymentMethodUpdateTimeInMins": 1e308}}',
        '{"SandboxSimulation": {"State": "Closed", "ReasonCode": "ExpiredUnused", '
        '"ExpirationTimeInMins": -5}}',
        '{"SandboxSimulation": {"State": "Declined", "ReasonCode": "AmazonRejected"}}',
        '{"SandboxSimulation": {"State": "Pending"}}',
        '{"SandboxSimulation": [[[[1]]]]}',
        '{"SandboxSimulation": {"Constraint": "PaymentMethodNotAllowed"}}',
        "https://evil.example/", "//evil.example", "/\\evil", "/checkout/",
    ]),
)  # fmt: skip
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats()
    | NASTY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NASTY, inner, max_size=4),
    max_leaves=8,
)
FIELDS = [
    "action", "kind", "times", "delay", "seconds", "amazon_order_id", "items", "status",
    "seller_id", "address", "buyer", "payment_method", "environment", "engine", "orders",
    "version", "region", "store", "ASIN", "OrderItemId", "QuantityOrdered", "Name",
]  # fmt: skip
JSON_OBJECTS = st.dictionaries(st.sampled_from(FIELDS) | NASTY, JSON, max_size=6)
PATHS = [
    "/", "/sandbox", "/sandbox/", "/OffAmazonPayments_Sandbox/2013-01-01",
    "/OffAmazonPayments/2013-01-01/", "/Orders/2013-09-01", "/sandbox/buyer/sign-in",
    "/sandbox/buyer/address", "/sandbox/buyer/wallet", "/sandbox/buyer/wallet/{oro}",
    "/sandbox/buyer/wallet/{auth}", "/sandbox/buyer/wallet/{junk}",
    "/sandbox/buyer/order-references", "/sandbox/objects/{oro}", "/sandbox/objects/{junk}",
    "/sandbox/faults", "/sandbox/faults/clear", "/sandbox/clock", "/sandbox/clock/advance",
    "/sandbox/orders", "/sandbox/state", "/sandbox/state/save", "/sandbox/reset",
    "/sandbox/ipn", "/sandbox/sns/cert.pem", "/sandbox/sns/unsubscribe", "/sandbox/{junk}",
    "/{junk}",
]  # fmt: skip
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "PROPFIND", "", "get"]
CONTENT_TYPES = [
    "", "application/json", "application/x-www-form-urlencoded", "text/plain",
    "multipart/form-data; boundary=x", "application/json; charset=utf-16", "text/xml",
    "application/x-www-form-urlencoded; charset=shift_jis", "\x00/\x01",
]  # fmt: skip
MWS_PARAMS = [
    "AmazonOrderReferenceId", "AmazonAuthorizationId", "AmazonCaptureId", "AmazonRefundId",
    "AuthorizationReferenceId", "CaptureReferenceId", "RefundReferenceId",
    "AuthorizationAmount.Amount", "AuthorizationAmount.CurrencyCode", "CaptureAmount.Amount",
    "CaptureAmount.CurrencyCode", "RefundAmount.Amount", "RefundAmount.CurrencyCode",
    "OrderReferenceAttributes.OrderTotal.Amount",
    "OrderReferenceAttributes.OrderTotal.CurrencyCode", "OrderReferenceAttributes.SellerNote",
    "OrderReferenceAttributes.PlatformId",
    "OrderReferenceAttributes.SellerOrderAttributes.SellerOrderId",
    "OrderReferenceAttributes.SellerOrderAttributes.StoreName",
    "OrderReferenceAttributes.SellerOrderAttributes.OrderItemCategories.OrderItemCategory.1",
    "OrderAttributes.OrderTotal.Amount", "OrderAttributes.OrderTotal.CurrencyCode",
    "OrderAttributes.SellerNote", "OrderAttributes.RequestPaymentAuthorization",
    "OrderAttributes.PaymentServiceProviderAttributes.PaymentServiceProviderId",
    "CaptureNow", "ExpectImmediateAuthorization", "TransactionTimeout", "SoftDescriptor",
    "SellerAuthorizationNote", "SellerCaptureNote", "SellerRefundNote", "CancelationReason",
    "ClosureReason", "AccessToken", "AddressConsentToken", "AmazonOrderId", "NextToken",
    "MWSAuthToken",
]  # fmt: skip


# -- a simulator with something in it ------------------------------------------------------------
@lru_cache(maxsize=1)
def _base_state() -> tuple[str, dict[str, str]]:
    """A snapshot holding a Draft, an Open order with an Open authorization, a capture and a
    refund; and their ids (built once: each example restores it into a fresh simulator)."""
    sim = Simulator(**DEFAULT_CREDENTIALS)
    draft = sim.create_order_reference()
    oro = sim.create_order_reference()
    amount = {"OrderReferenceAttributes.OrderTotal.Amount": "3000",
              "OrderReferenceAttributes.OrderTotal.CurrencyCode": "JPY"}  # fmt: skip
    _mws(sim, "SetOrderReferenceDetails", AmazonOrderReferenceId=oro, **amount)
    _mws(sim, "ConfirmOrderReference", AmazonOrderReferenceId=oro)
    pay = {"AuthorizationAmount.Amount": "1000", "AuthorizationAmount.CurrencyCode": "JPY"}
    auth, auth2 = (
        _xml_id(_mws(sim, "Authorize", AmazonOrderReferenceId=oro, AuthorizationReferenceId=ref,
                     TransactionTimeout="0", **pay), "AmazonAuthorizationId")
        for ref in ("a1", "a2")
    )  # fmt: skip
    cap = _xml_id(_mws(sim, "Capture", AmazonAuthorizationId=auth2, CaptureReferenceId="c1",
                       **{"CaptureAmount.Amount": "1000", "CaptureAmount.CurrencyCode": "JPY"}),
                  "AmazonCaptureId")  # fmt: skip
    ref = _xml_id(_mws(sim, "Refund", AmazonCaptureId=cap, RefundReferenceId="r1",
                       **{"RefundAmount.Amount": "500", "RefundAmount.CurrencyCode": "JPY"}),
                  "AmazonRefundId")  # fmt: skip
    ids = {"draft": draft, "oro": oro, "auth": auth, "capture": cap, "refund": ref}
    return json.dumps(sim.snapshot()), ids


def _xml_id(body: bytes, tag: str) -> str:
    root = ET.fromstring(body)  # noqa: S314 - the simulator's own output, in a test
    return next(e.text for e in root.iter() if e.tag.endswith(tag))


def fresh() -> tuple[Simulator, dict[str, str]]:
    state, ids = _base_state()
    sim = Simulator(**DEFAULT_CREDENTIALS)
    sim.restore(json.loads(state))
    return sim, ids


# -- one request, straight into the WSGI app ----------------------------------------------------
def send(
    sim: Simulator,
    method: str,
    path: str,
    *,
    query: str = "",
    body: bytes = b"",
    content_type: str = "",
    content_length: str | None = None,
    granted: bool = False,
    headers: dict[str, str] | None = None,
) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """Send one request; check the answer is not a 5xx (unless a fault fired) and is well
    formed. None when a fault dropped the connection."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": HOST, "SERVER_PORT": "443", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": HOST, "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)) if content_length is None else content_length,
        "wsgi.url_scheme": "https", "wsgi.input": io.BytesIO(body), "wsgi.errors": io.StringIO(),
        DEFER_DELAY: True, CONTROL_GRANTED: granted, **(headers or {}),
    }  # fmt: skip
    fired = len(sim.faults.fired)
    captured: dict[str, Any] = {}

    def start_response(status: str, response_headers: list, exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = int(status.split()[0]), response_headers
        return lambda data: None

    try:
        content = b"".join(sim.wsgi_app(environ, start_response))
    except ConnectionDropped:
        assert len(sim.faults.fired) > fired, "a connection dropped without a fault"
        return None
    status, response_headers = captured["status"], captured["headers"]
    if status >= 500 and not _mixed_environments(content):
        assert len(sim.faults.fired) > fired, (status, method, path, content[:500])
    for name, value in response_headers:  # what a WSGI server can send
        value.encode("latin-1")
        assert "\r" not in value and "\n" not in value, (name, value)
    kind = dict(response_headers)["Content-Type"]
    if status >= 400 and kind == "application/json":
        error = json.loads(content)
        assert set(error) == {"error", "error_description"} and error["error_description"]
    if kind == "text/xml" and content and not (status == 200 and sim.faults.fired[fired:]):
        ET.fromstring(content)  # noqa: S314 - parseable, even with hostile input echoed
    return status, response_headers, content


def _mixed_environments(content: bytes) -> bool:
    """Amazon's own 500 for a sandbox id on the production path or the reverse
    (docs/simulator.md, "Hostile input"): the simulator says what Amazon says."""
    return b"<Code>InternalServerError</Code>" in content


def _mws(sim: Simulator, action: str, **params: str) -> bytes:
    path = "/OffAmazonPayments_Sandbox/2013-01-01"
    form = signed(common(sim, action, **params), sim.credentials[sim.access_key], "POST", HOST,
                  path)  # fmt: skip
    answer = send(sim, "POST", path, body=urlencode(form).encode(),
                  content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert answer is not None
    return answer[2]


def _no_fault_injected(method: str, path: str, body: bytes) -> None:
    """The test configures no fault: discard a generated request that would."""
    if method == "POST" and path.rstrip("/") == "/sandbox/faults":
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return
        assume(not (isinstance(data, dict) and data.get("kind") in KINDS))


# -- strategies ----------------------------------------------------------------------------------
@st.composite
def raw_requests(draw: Any) -> dict[str, Any]:
    template = draw(st.sampled_from(PATHS))
    junk = draw(st.text(max_size=20))
    path = template.replace("{junk}", junk) + draw(st.sampled_from(["", "", "/", "//x", junk]))
    body = draw(
        st.one_of(
            st.just(b""),
            st.binary(max_size=200),
            JSON.map(lambda v: json.dumps(v).encode()),
            JSON_OBJECTS.map(lambda v: json.dumps(v).encode()),
            st.dictionaries(st.sampled_from(["return_url", "buyer", "address", "payment_method",
                                             "Action"]) | NASTY, NASTY, max_size=4)
            .map(lambda v: urlencode(v).encode()),
            st.integers(min_value=1, max_value=30000).map(lambda n: b"[" * n + b"]" * n),
            st.integers(min_value=1, max_value=30000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
        )
    )  # fmt: skip
    query = draw(
        st.one_of(
            st.just(""),
            st.text(max_size=40),
            st.dictionaries(st.sampled_from(["return_url", "buyer", "address", "Action"]) | NASTY,
                            NASTY, max_size=3).map(urlencode),
        )
    )  # fmt: skip
    length = draw(
        st.sampled_from([None, None, None, "", "abc", "-1", "1e3", " 5", "٣",
                         str(MAX_BODY_BYTES + 1), "99999999999999999999"])
    )  # fmt: skip
    headers = draw(
        st.dictionaries(
            st.sampled_from(["HTTP_X_SIMULATOR_TOKEN", "HTTP_HOST", "HTTP_COOKIE", "HTTP_ORIGIN",
                             "HTTP_X_FORWARDED_FOR", "HTTP_ACCEPT_LANGUAGE"]),
            NASTY, max_size=2,
        )
    )  # fmt: skip
    return {
        "method": draw(st.sampled_from(METHODS) | st.text(max_size=8)),
        "path": path,
        "query": query,
        "body": body,
        "content_type": draw(st.sampled_from(CONTENT_TYPES) | st.text(max_size=20)),
        "content_length": length,
        "granted": draw(st.booleans()),
        "headers": headers,
        "token": draw(st.booleans()),
    }


@st.composite
def signed_calls(draw: Any) -> tuple[str, dict[str, str]]:
    action = draw(
        st.sampled_from([
            "GetOrderReferenceDetails", "SetOrderReferenceDetails", "SetOrderAttributes",
            "ConfirmOrderReference", "CancelOrderReference", "CloseOrderReference", "Authorize",
            "GetAuthorizationDetails", "CloseAuthorization", "Capture", "GetCaptureDetails",
            "Refund", "GetRefundDetails", "GetServiceStatus", "ListOrderItems",
            "ListOrderItemsByNextToken", "NoSuchAction",
        ])
    )  # fmt: skip
    names = draw(st.lists(st.sampled_from(MWS_PARAMS), max_size=8, unique=True))
    values = {name: draw(NASTY | st.sampled_from(["{draft}", "{oro}", "{auth}", "{capture}",
                                                  "{refund}"])) for name in names}  # fmt: skip
    return action, values


# -- the properties ------------------------------------------------------------------------------
@HYPOTHESIS
@given(requests=st.lists(raw_requests(), min_size=1, max_size=3))
def test_no_request_gets_a_server_error(requests: list[dict[str, Any]]) -> None:
    sim, ids = fresh()
    for r in requests:
        path = r["path"].replace("{oro}", ids["oro"]).replace("{auth}", ids["auth"])
        _no_fault_injected(r["method"], path, r["body"])
        headers = dict(r["headers"])
        if r["token"]:
            headers["HTTP_X_SIMULATOR_TOKEN"] = sim.control_token
        send(sim, r["method"], path, query=r["query"], body=r["body"],
             content_type=r["content_type"], content_length=r["content_length"],
             granted=r["granted"], headers=headers)  # fmt: skip
    _the_engine_still_works(sim, ids)


@HYPOTHESIS
@given(calls=st.lists(signed_calls(), min_size=1, max_size=4), path=st.sampled_from(
    ["/OffAmazonPayments_Sandbox/2013-01-01", "/OffAmazonPayments/2013-01-01",
     "/Orders/2013-09-01"]))  # fmt: skip
def test_no_signed_mws_call_gets_a_server_error(calls: list, path: str) -> None:
    sim, ids = fresh()
    for action, values in calls:
        params = {k: _with_ids(v, ids) for k, v in values.items()}
        version = "2013-09-01" if path.startswith("/Orders") else "2013-01-01"
        form = signed({**common(sim, action, **params), "Version": version},
                      sim.credentials[sim.access_key], "POST", HOST, path)  # fmt: skip
        send(sim, "POST", path, body=urlencode(form).encode(),
             content_type="application/x-www-form-urlencoded")  # fmt: skip
    _advance(sim)
    _the_engine_still_works(sim, ids)


@st.composite
def damaged_states(draw: Any) -> Any:
    """The base snapshot with one value replaced (or removed), anywhere in it."""
    state = json.loads(_base_state()[0])
    slots: list[tuple[Any, Any]] = []
    stack: list[Any] = [state]
    while stack:
        node = stack.pop()
        keys = node.keys() if isinstance(node, dict) else range(len(node))
        for key in keys:
            slots.append((node, key))
            if isinstance(node[key], (dict, list)):
                stack.append(node[key])
    container, key = draw(st.sampled_from(slots))
    if isinstance(container, dict) and draw(st.booleans()):
        del container[key]
    else:
        container[key] = draw(
            JSON | st.sampled_from(["__init__", "Bogus", "2099-01-01T00:00:00", "NaN", "-5",
                                    "9999-12-31T23:59:59+00:00", "S03-9999999-9999999", 2**70])
        )  # fmt: skip
    return state


@HYPOTHESIS
@given(state=damaged_states())
def test_a_damaged_state_is_refused_or_runs(state: Any) -> None:
    sim, ids = fresh()
    body = json.dumps(state).encode()
    answer = send(sim, "POST", "/sandbox/state", body=body, content_type="application/json",
                  granted=True)  # fmt: skip
    assert answer is not None and answer[0] in (200, 400), answer
    _advance(sim)
    _the_engine_still_works(sim, ids)


def _with_ids(value: str, ids: dict[str, str]) -> str:
    for name, object_id in ids.items():
        value = value.replace("{" + name + "}", object_id)
    return value


def _advance(sim: Simulator) -> None:
    body = json.dumps({"seconds": 200 * 24 * 3600}).encode()
    send(sim, "POST", "/sandbox/clock/advance", body=body, content_type="application/json",
         granted=True)  # fmt: skip


def _the_engine_still_works(sim: Simulator, ids: dict[str, str]) -> None:
    """Every object the simulator holds can be read and acted on without a 5xx."""
    store = sim.engine.store
    for oro in list(store.orders):
        _mws(sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro, AccessToken="t")
        _mws(sim, "Authorize", AmazonOrderReferenceId=oro, AuthorizationReferenceId="z9",
             TransactionTimeout="0", **{"AuthorizationAmount.Amount": "100",
                                        "AuthorizationAmount.CurrencyCode": "JPY"})  # fmt: skip
        _mws(sim, "CloseOrderReference", AmazonOrderReferenceId=oro)
    for auth in list(store.authorizations):
        _mws(sim, "GetAuthorizationDetails", AmazonAuthorizationId=auth)
        _mws(sim, "Capture", AmazonAuthorizationId=auth, CaptureReferenceId="z8",
             **{"CaptureAmount.Amount": "100", "CaptureAmount.CurrencyCode": "JPY"})  # fmt: skip
    for cap in list(store.captures):
        _mws(sim, "GetCaptureDetails", AmazonCaptureId=cap)
        _mws(sim, "Refund", AmazonCaptureId=cap, RefundReferenceId="z7",
             **{"RefundAmount.Amount": "10", "RefundAmount.CurrencyCode": "JPY"})  # fmt: skip
    for ref in list(store.refunds):
        _mws(sim, "GetRefundDetails", AmazonRefundId=ref)
    for route in ("/", "/sandbox/state", f"/sandbox/objects/{ids['oro']}", "/sandbox/orders"):
        send(sim, "GET", route, granted=True)
    _advance(sim)


def test_the_properties_catch_a_server_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not vacuous: a route that fails is reported."""
    from django_amazonpay.sandbox import control

    def broken(*args: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setitem(control.ROUTES, "/sandbox/clock", {"GET": broken})
    sim, _ = fresh()
    with pytest.raises(AssertionError):
        send(sim, "GET", "/sandbox/clock", granted=True)
