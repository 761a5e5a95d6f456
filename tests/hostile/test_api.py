"""Hostile input against every REST endpoint (issue 7 item 3), property-based.

Whatever the method, id, content type, headers or body: never a 500, every error in the
documented {"error", "error_description"} shape, and a refused request leaves every payment
table as it was. Examples run against a real checkout owned by the session (so the deep code
paths run) and against ids that are not.
"""

from __future__ import annotations

import io
import json
import sqlite3
import warnings
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
import requests
from django.core.cache.backends.base import CacheKeyWarning
from django.db import OperationalError
from django.db.utils import DatabaseErrorWrapper
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from requests.adapters import BaseAdapter
from rest_framework.test import APIClient

from django_amazonpay.api import views
from django_amazonpay.api.errors import exception_handler
from django_amazonpay.api.parsing import DRAIN_BYTES
from django_amazonpay.client import get_client
from django_amazonpay.models import (
    Authorization,
    Capture,
    MwsCall,
    OrderItem,
    OrderReference,
    Refund,
    StateTransition,
)
from tests.api.conftest import assert_error, configure, serve_test_api
from tests.hostile_settings import hostile_settings

pytestmark = pytest.mark.django_db

BASE = "/amazon-pay/api/checkouts/"
STEPS = ["", "order", "confirm", "reconfirm", "payment", "cancel"]
TABLES = (OrderReference, OrderItem, Authorization, Capture, Refund, StateTransition)
HYPOTHESIS = hostile_settings(60)

#: strings meant to hurt: Japanese, emoji, control characters, huge, numbers as text
NASTY_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "初売りクーポン🎍🎁",
            "🙇‍♂️" * 300,
            "x" * 5000,
            "\x00\x01\x1f",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "S03-0000000-0000000",
            "../../etc/passwd",
            "NaN",
            "Infinity",
            "-1",
            "1e309",
            "0.001",
            "99999999999999999999999",
        ]
    ),
)
AMOUNTS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**30), max_value=10**30),
    NASTY_TEXT,
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | NASTY_TEXT | AMOUNTS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
FIELDS = [
    "amazon_order_reference_id",
    "access_token",
    "order_id",
    "reason",
    "amount",
    "order_total",
    "items",
    "seller_note",
    "shipping_fee",
    "currency",
]
BODIES = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), JSON, max_size=5),
    JSON,
)


@pytest.fixture
def api(settings: Any, amazon_pay_simulator: Any) -> Any:
    serve_test_api(settings, amazon_pay_simulator, MAX_RETRIES=0)
    return amazon_pay_simulator


@pytest.fixture
def owned(api: Any) -> tuple[APIClient, str]:
    """A client whose session owns a started checkout (order not set yet)."""
    client = APIClient()
    oro_id = api.create_order_reference()
    r = client.post(BASE, {"amazon_order_reference_id": oro_id, "access_token": "Atza|t"}, "json")
    assert r.status_code == 201, r.content
    return client, oro_id


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def check(response: Any, before: dict[str, int]) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:500])
    if response.status_code >= 400:
        body = json.loads(response.content)
        assert set(body) == {"error", "error_description"}, body
        assert isinstance(body["error"], str) and body["error"]
        assert isinstance(body["error_description"], str) and body["error_description"]
        assert "Traceback" not in body["error_description"]
        assert counts() == before, "a refused request wrote something"


def url(oro_id: str, step: str) -> str:
    path = BASE + (quote(oro_id, safe="") + "/" if oro_id or step else "")
    return path + (step + "/" if step else "")


@HYPOTHESIS
@given(
    step=st.sampled_from(STEPS),
    method=st.sampled_from(["get", "post", "put", "patch", "delete"]),
    body=BODIES,
    which=st.sampled_from(["owned", "other", "nasty"]),
    nasty_id=NASTY_TEXT,
    as_form=st.booleans(),
)
def test_any_request_to_any_endpoint(
    owned: tuple[APIClient, str], step, method, body, which, nasty_id, as_form
) -> None:
    client, oro_id = owned
    target = {"owned": oro_id, "other": "S03-1234567-1234567", "nasty": nasty_id}[which]
    before = counts()
    send = getattr(client, method)
    if method == "get":
        response = send(url(target, step))
    elif as_form:
        data = body if isinstance(body, dict) else {"value": body}
        response = send(url(target, step), {k: json.dumps(v) for k, v in data.items()})
    else:
        response = send(url(target, step), body, format="json")
    check(response, before)


@HYPOTHESIS
@given(raw=st.binary(max_size=300), content_type=st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data"]
))  # fmt: skip
def test_raw_bodies_on_start(api: Any, raw: bytes, content_type: str) -> None:
    client = APIClient()
    before = counts()
    check(client.generic("POST", BASE, raw, content_type=content_type), before)


@HYPOTHESIS
@given(oro_id=NASTY_TEXT, token=NASTY_TEXT)
def test_start_with_hostile_ids_and_tokens(api: Any, oro_id: str, token: str) -> None:
    before = counts()
    response = APIClient().post(
        BASE, {"amazon_order_reference_id": oro_id, "access_token": token}, format="json"
    )
    check(response, before)


def test_amounts_in_the_body_never_count(owned: tuple[APIClient, str]) -> None:
    """The order total comes from the shop's resolver, whatever the body claims."""
    client, oro_id = owned
    for amount in ["-1", "0.001", "1e12", "abc", "NaN", 10**30, -5, "6500.999"]:
        r = client.post(
            url(oro_id, "order"),
            {"order_id": "A-1", "amount": amount, "order_total": amount, "shipping_fee": amount},
            format="json",
        )
        assert r.status_code == 200, r.content
        assert OrderReference.objects.get(amazon_order_reference_id=oro_id).amount == 6500


def test_over_long_and_unicode_order_ids(owned: tuple[APIClient, str]) -> None:
    client, oro_id = owned
    for order_id in ["x" * 10_000, "注文🎍" * 100, "", "\x00"]:
        before = counts()
        check(client.post(url(oro_id, "order"), {"order_id": order_id}, format="json"), before)


def test_idempotency_key_headers_are_hostile_too(owned: tuple[APIClient, str]) -> None:
    client, oro_id = owned
    for key in ["", "x" * 5000, "🎍", "\t", "a b"]:
        before = counts()
        response = client.post(
            url(oro_id, "order"), {"order_id": "A-1"}, format="json", HTTP_IDEMPOTENCY_KEY=key
        )
        check(response, before)


#: JSON escapes of a lone surrogate in every field the endpoints read
SURROGATES = '{"amazon_order_reference_id": "\\ud800", "order_id": "\\ud800", "reason": "\\ud800"}'


def amazon_calls() -> int:
    return MwsCall.objects.count()


def start_body(oro_id: str = "S03-0000000-0000000", **extra: Any) -> dict[str, Any]:
    return {"amazon_order_reference_id": oro_id, "access_token": "Atza|t", **extra}


@pytest.mark.parametrize(
    ("sandbox", "oro_id", "says"),
    [(True, "P03-0000000-0000000", "production"), (False, "S03-0000000-0000000", "sandbox")],
)
def test_an_id_of_the_other_environment_is_refused_up_front(
    api: Any, settings: Any, sandbox: bool, oro_id: str, says: str
) -> None:
    """Amazon would answer 500 InternalServerError, which no retry fixes: a 400 that says why,
    and nothing sent."""
    configure(settings, api, SANDBOX=sandbox)
    before, calls = counts(), amazon_calls()
    response = APIClient().post(BASE, start_body(oro_id), format="json")
    body = assert_error(response, 400, "wrong_environment")
    assert says in body["error_description"]
    assert (counts(), amazon_calls()) == (before, calls)


def test_amazon_failing_on_its_side_is_still_503_with_retry_advice(api: Any) -> None:
    api.faults.inject("GetOrderReferenceDetails", "http_500")
    response = APIClient().post(BASE, start_body(api.create_order_reference()), format="json")
    assert_error(response, 503, "amazon_unavailable")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"amazon_order_reference_id": "S03-0000000-0000000"}, "access_token_required"),
        (start_body(access_token=""), "access_token_required"),
        (start_body(access_token=None), "access_token_required"),
        (start_body(access_token="invalid"), "invalid_access_token"),
        (start_body(access_token="Atza%7Curl-encoded"), "invalid_access_token"),
        (start_body(access_token="Atza|" + "x" * 2044), "invalid_access_token"),
        (start_body(access_token="Atza|with space"), "invalid_access_token"),
        (start_body(access_token="Atza|nul\x00"), "invalid_access_token"),
        (start_body(access_token=["Atza|t"]), "invalid_access_token"),
        (start_body(access_token=12345), "invalid_access_token"),
    ],
)
def test_a_start_needs_a_well_formed_access_token_before_anything_is_sent(
    api: Any, caplog: Any, body: dict[str, Any], code: str
) -> None:
    calls = amazon_calls()
    answer = assert_error(APIClient().post(BASE, body, format="json"), 400, code)
    assert amazon_calls() == calls
    token = body.get("access_token")
    if isinstance(token, str) and len(token) > 5:  # never echoed, never logged
        assert token not in answer["error_description"] and token not in caplog.text


def test_the_same_answer_for_every_id_the_caller_does_not_have(api: Any) -> None:
    """Another session's checkout, an id Amazon does not know, a token Amazon refuses, a
    malformed id: start and every step answer exactly alike."""
    owner = APIClient()
    taken = api.create_order_reference()
    assert owner.post(BASE, start_body(taken), format="json").status_code == 201
    stranger = APIClient()
    answers = {
        "foreign": stranger.post(BASE, start_body(taken), format="json"),
        "nonexistent": stranger.post(BASE, start_body("S03-9999999-9999999"), format="json"),
    }
    first = answers["foreign"]
    for name, response in answers.items():
        assert (response.status_code, response.json()) == (first.status_code, first.json()), name
    assert first.status_code == 404 and first.json()["error"] == "no_checkout"
    for step in STEPS:
        for oro_id in (taken, "S03-9999999-9999999", "S03-0000000-000000\x00", "x"):
            send = stranger.get if step in ("", "payment") else stranger.post
            response = send(url(oro_id, step))
            assert (response.status_code, response.json()) == (404, first.json()), (step, oro_id)


def test_a_token_amazon_refuses_looks_like_an_unknown_id(api: Any, settings: Any) -> None:
    """Amazon's InvalidAddressConsentToken (the simulator refuses no well-formed token, so the
    answer is played at the transport, as Amazon words it)."""
    refusal = (
        '<ErrorResponse xmlns="http://mws.amazonservices.com/schema/OffAmazonPayments/'
        '2013-01-01"><Error><Type>Sender</Type><Code>InvalidAddressConsentToken</Code>'
        "<Message>The address consent token is invalid.</Message></Error>"
        "<RequestId>5c1e8f5e-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    )
    client = get_client()
    client.session.mount(client.config.base_url + "/", Answer(404, refusal.encode()))
    response = APIClient().post(BASE, start_body(api.create_order_reference()), format="json")
    assert (response.status_code, response.json()["error"]) == (404, "no_checkout")
    assert response.json() == APIClient().post(BASE, start_body(), format="json").json()


@pytest.mark.parametrize(
    ("make", "status", "code"),
    [
        (lambda: "[" * 30_000 + "]" * 30_000, 400, "invalid_json"),  # under the size cap
        (lambda: '{"a":' * 500 + "1" + "}" * 500, 400, "invalid_json"),
        (lambda: '{"x": "' + "a" * 70_000 + '"}', 413, "request_too_large"),
        (lambda: '{"x": NaN}', 400, "invalid_json"),
        (lambda: '{"x": ' + "9" * 5000 + "}", 400, "invalid_json"),
        (lambda: b"\xff\xfe{}", 400, "invalid_json"),
    ],
)
def test_hostile_json_bodies(
    owned: tuple[APIClient, str], make: Any, status: int, code: str
) -> None:
    client, oro_id = owned
    for path in (BASE, url(oro_id, "order"), url(oro_id, "cancel")):
        before = counts()
        response = client.generic("POST", path, make(), content_type="application/json")
        assert_error(response, status, code)
        assert counts() == before


def test_lone_surrogates_in_every_field(owned: tuple[APIClient, str]) -> None:
    """On start the id is malformed: the answer to an id nobody has; elsewhere a 400."""
    client, oro_id = owned
    body = SURROGATES.replace("}", ', "access_token": "Atza|t"}')
    nobodys = client.post(BASE, start_body("S03-9999999-9999999"), format="json")
    for path, status, code in (
        (BASE, 404, "no_checkout"),
        (url(oro_id, "order"), 400, "invalid_request"),
        (url(oro_id, "cancel"), 400, "invalid_request"),
    ):
        before = counts()
        response = client.generic("POST", path, body, content_type="application/json")
        assert_error(response, status, code)
        assert counts() == before
    assert client.generic("POST", BASE, body, content_type="application/json").json() == (
        nobodys.json()
    )


#: order reference ids that are not one: none reaches the database or Amazon
MALFORMED_IDS = [
    "S03-abc",
    "S03-1234567-1234567\x00",
    "\x00",
    "s03-1234567-1234567",
    "S03-1234567-1234567" + "7" * 100,
    "x" * 10_000,
    "S03-１２３４５６７-1234567",  # full-width digits
    "S03-1234567-123456٧",  # an Arabic-Indic digit
    "S03–1234567–1234567",  # en dashes
    "Ｓ03-1234567-1234567",
    "S3-1234567-1234567",
    "S03-12345678-1234567",
    "X03-1234567-1234567",
    "S03-1234567-1234567 OR 1=1",
    "S03-1234567-1234567/../P03",
    "%53%30%33-1234567-1234567",
    "S03-1234567-1234567\n-x",
    "🎍",
    42,
    12.5,
    True,
    ["S03-1234567-1234567"],
    {"id": "S03-1234567-1234567"},
]


@pytest.mark.parametrize("oro_id", MALFORMED_IDS)
@pytest.mark.parametrize("token", ["Atza|t", None, "invalid"])
def test_a_malformed_id_on_start_is_answered_as_one_nobody_has(
    api: Any, oro_id: Any, token: str | None
) -> None:
    """Status, code and text: the answer to a well-formed id Amazon does not know, with the
    same token (or the same missing or malformed one); nothing is sent or stored."""

    def body(value: Any) -> dict[str, Any]:
        data = {"amazon_order_reference_id": value}
        return data if token is None else {**data, "access_token": token}

    nobodys = APIClient().post(BASE, body("S03-9999999-9999999"), format="json")
    before, calls = counts(), amazon_calls()
    response = APIClient().post(BASE, body(oro_id), format="json")
    assert (response.status_code, response.json()) == (nobodys.status_code, nobodys.json())
    assert (counts(), amazon_calls()) == (before, calls)
    if token == "Atza|t":
        assert_error(response, 404, "no_checkout")


def test_bodies_over_the_hosts_upload_limit(owned: tuple[APIClient, str], settings: Any) -> None:
    client, oro_id = owned
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = {"order_id": "A-1", "pad": "x" * 200}
    response = client.post(url(oro_id, "order"), body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert_error(response, 413, "request_too_large")


@pytest.mark.parametrize("encoding", ["chunked", "gzip, chunked", "identity", ""])
def test_a_body_without_a_declared_length_is_411(
    owned: tuple[APIClient, str], encoding: str
) -> None:
    """Django reads a body sent with Transfer-Encoding and no Content-Length as empty: its
    fields would be "missing" and its size unchecked. Every endpoint says what to fix."""
    client, oro_id = owned
    chunked = b'{"order_id": "A-1"}'
    framing = {"HTTP_TRANSFER_ENCODING": encoding, "CONTENT_LENGTH": ""}
    for step in STEPS:
        method = "GET" if step in ("", "payment") else "POST"
        before, calls = counts(), amazon_calls()
        response = client.generic(
            method, url(oro_id, step), chunked, content_type="application/json", **framing
        )
        body = assert_error(response, 411, "length_required")
        assert "Content-Length" in body["error_description"]
        assert (counts(), amazon_calls()) == (before, calls)
    response = client.generic("POST", BASE, chunked, "application/json", **framing)
    assert_error(response, 411, "length_required")


def test_a_post_without_a_body_needs_no_content_length(owned: tuple[APIClient, str]) -> None:
    """What curl -X POST sends: no Content-Length, no body, no Transfer-Encoding."""
    client, oro_id = owned
    client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json")
    response = client.generic("POST", url(oro_id, "confirm"))
    assert "CONTENT_LENGTH" not in response.wsgi_request.META
    assert response.status_code == 200, response.content
    assert response.json()["next_action"] == "complete"


@pytest.mark.parametrize("declared", ["abc", "-5", "1e3", " 12", "١٢"])
def test_a_content_length_that_is_not_a_size(owned: tuple[APIClient, str], declared: str):
    client, oro_id = owned
    body = b'{"order_id": "A-1"}'
    response = client.generic(
        "POST", url(oro_id, "order"), body, "application/json", CONTENT_LENGTH=declared
    )
    assert "Content-Length" in assert_error(response, 400, "invalid_request")["error_description"]


def test_an_oversized_body_is_read_before_the_413(owned: tuple[APIClient, str]) -> None:
    """A server that closes a connection with unread bytes in it sends a reset: the client
    would see that instead of the 413. Up to DRAIN_BYTES the body is read and dropped; a
    larger one is not read at all."""
    client, oro_id = owned
    for size, read in ((70_000, 70_000), (DRAIN_BYTES, DRAIN_BYTES), (DRAIN_BYTES + 1, 0)):
        stream = io.BytesIO(b"x" * size)
        response = client.generic(
            "POST",
            url(oro_id, "order"),
            content_type="application/json",
            CONTENT_LENGTH=str(size),
            **{"wsgi.input": stream},
        )
        assert_error(response, 413, "request_too_large")
        assert stream.tell() == read, size


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        "application/json; charset=utf-16",
        "application/json; charset=latin-1",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "x" * 300,
    ],
)
def test_unsupported_content_types(owned: tuple[APIClient, str], content_type: str) -> None:
    client, oro_id = owned
    for path in (BASE, url(oro_id, "order")):
        response = client.generic("POST", path, b'{"order_id": "A-1"}', content_type=content_type)
        assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("fmt", ["api", "xml", "yaml", "json\x00", ""])
def test_unknown_formats_on_every_endpoint(owned: tuple[APIClient, str], step: str, fmt: str):
    client, oro_id = owned
    send = client.get if step in ("", "payment") else client.post
    response = send(url(oro_id, step) + "?format=" + quote(fmt))
    if fmt == "":
        assert response.status_code < 500
    else:
        assert_error(response, 406, "not_acceptable")


@pytest.mark.parametrize("fmt", ["xml", "api", "openapi", "\x00", "yml", "yaml\x00", "JSON"])
def test_unknown_schema_formats(api: Any, fmt: str) -> None:
    response = Client().get("/amazon-pay/api/schema/?format=" + quote(fmt))
    assert response["Content-Type"] == "application/json"
    assert_error(response, 406, "not_acceptable")
    for known in ("json", "yaml"):  # docs/api.md, Endpoints
        assert Client().get("/amazon-pay/api/schema/?format=" + known).status_code == 200


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "PROPFIND", "BREW", "TRACE"])
def test_unknown_methods(owned: tuple[APIClient, str], method: str) -> None:
    client, oro_id = owned
    for path in (BASE, url(oro_id, ""), url(oro_id, "confirm")):
        assert_error(client.generic(method, path), 405, "method_not_allowed")


def test_a_post_without_csrf_to_an_unknown_api_path_is_a_json_404(api: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    for path in ("nope/", "checkouts/S03-0000000-0000000/refund/", "schema/x"):
        response = client.post("/amazon-pay/api/" + path, {})
        assert response["Content-Type"].startswith("application/json")
        assert_error(response, 404, "not_found")


@pytest.mark.parametrize("cookie", ["abcdefgh\x00ijk", "\x1b[31mxxxxxxxx", "ünïcödé-session"])
def test_a_session_cookie_with_control_bytes_is_a_new_visitor(api: Any, cookie: str) -> None:
    """On PostgreSQL a NUL in the session key would fail the session query."""
    client = Client(HTTP_COOKIE=f"sessionid={cookie}")
    assert_error(client.get(url("S03-0000000-0000000", "")), 404, "no_checkout")
    response = client.post(BASE, start_body(api.create_order_reference()), "application/json")
    assert response.status_code == 201  # with a fresh session
    assert response.cookies["sessionid"].value != cookie


@pytest.mark.parametrize("cookie", ["s" * 5000, "a b c d e f g h", "\t" * 9, "ü" * 40])
def test_odd_session_cookies_make_no_odd_cache_keys(api: Any, settings: Any, cookie: str) -> None:
    """Memcached refuses keys with spaces or control characters, or over 250 characters:
    the throttles' keys never carry the cookie's text."""
    configure(settings, api, API_READ_RATE="100/minute", API_WRITE_RATE="100/minute")
    client = Client(HTTP_COOKIE=f"sessionid={cookie}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        for path in (url("S03-0000000-0000000", ""), "/amazon-pay/api/schema/"):
            assert client.get(path).status_code in (200, 404)
        assert client.post(BASE, start_body(), "application/json").status_code == 404


@pytest.mark.parametrize("key", ["\x00", "a\x00b", "\x7f", "é", " ", "x" * 256])
def test_idempotency_keys_with_control_bytes(owned: tuple[APIClient, str], key: str) -> None:
    client, oro_id = owned
    before = counts()
    response = client.post(
        url(oro_id, "order"), {"order_id": "A-1"}, "json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert_error(response, 400, "invalid_idempotency_key")
    assert counts() == before


@pytest.mark.parametrize("reason", ["\x00", "stop\x07", "\x1b[2J", "a" * 256])
def test_cancel_reasons_with_control_bytes(api: Any, reason: str) -> None:
    client, oro_id = confirmed_checkout(api)
    before = counts()
    response = client.post(url(oro_id, "cancel"), {"reason": reason}, format="json")
    assert_error(response, 400, "invalid_request")
    assert counts() == before


def test_database_locks_are_a_409_that_invites_a_retry(
    owned: tuple[APIClient, str], monkeypatch: Any, tmp_path: Any
) -> None:
    """SQLite's "database is locked", raised for real and wrapped by Django as the API would
    meet it, is 409 database_busy with Retry-After, never a 500; a retry with the same
    Idempotency-Key runs again (nothing was kept)."""
    client, oro_id = owned
    locked = real_sqlite_lock(tmp_path)
    monkeypatch.setattr(views.services, "confirm", raising(locked))
    key = {"HTTP_IDEMPOTENCY_KEY": "lock-1"}
    client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json")
    response = client.post(url(oro_id, "confirm"), **key)
    assert_error(response, 409, "database_busy")
    assert response["Retry-After"] == "1"
    monkeypatch.undo()
    assert client.post(url(oro_id, "confirm"), **key).status_code == 200


@pytest.mark.parametrize("sqlstate", ["40001", "40P01", "55P03"])
def test_postgresql_lock_failures_are_a_409_too(sqlstate: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    cause = psycopg.errors.lookup(sqlstate)("could not obtain lock")
    error = OperationalError(str(cause))
    error.__cause__ = cause
    response = exception_handler(error, {})
    assert (response.status_code, response.data["error"]) == (409, "database_busy")
    other = OperationalError("connection refused")
    other.__cause__ = psycopg.OperationalError("connection refused")
    assert exception_handler(other, {}).status_code == 500  # not the client's doing, not a lock


# -- helpers ---------------------------------------------------------------------------------


class Answer(BaseAdapter):
    """A transport that answers every request with one recorded Amazon answer."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__()
        self.status, self.body = status, body

    def send(self, request: Any, *args: Any, **kwargs: Any) -> requests.Response:
        response = requests.Response()
        response.status_code, response._content, response.request = self.status, self.body, request
        response.raw = io.BytesIO(self.body)
        return response

    def close(self) -> None:
        pass


def confirmed_checkout(api: Any) -> tuple[APIClient, str]:
    client = APIClient()
    oro_id = api.create_order_reference()
    assert client.post(BASE, start_body(oro_id), format="json").status_code == 201
    assert client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json").status_code == 200
    assert client.post(url(oro_id, "confirm")).status_code == 200
    return client, oro_id


def real_sqlite_lock(tmp_path: Any) -> OperationalError:
    """The OperationalError Django raises when another connection holds SQLite's write lock."""
    path = str(tmp_path / "locked.sqlite3")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, timeout=0)
    try:
        with DatabaseErrorWrapper(connection_for_sqlite3()):
            other.execute("INSERT INTO t VALUES (1)")
    except OperationalError as err:
        return err
    finally:
        holder.close()
        other.close()
    raise AssertionError("SQLite did not lock")


def connection_for_sqlite3() -> Any:
    """What DatabaseErrorWrapper needs: the driver module whose errors it translates."""
    return SimpleNamespace(Database=sqlite3)


def raising(error: Exception) -> Any:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    return fail
