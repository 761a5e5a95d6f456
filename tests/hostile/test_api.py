"""Hostile input against every REST endpoint (issue 7 item 3), property-based.

Whatever the method, id, content type, headers or body: never a 500, every error in the
documented {"error", "error_description"} shape, and a refused request leaves every payment
table as it was. Examples run against a real checkout owned by the session (so the deep code
paths run) and against ids that are not.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from django_amazonpay.models import (
    Authorization,
    Capture,
    OrderItem,
    OrderReference,
    Refund,
    StateTransition,
)
from tests.api.conftest import serve_test_api

pytestmark = pytest.mark.django_db

BASE = "/amazon-pay/api/checkouts/"
STEPS = ["", "order", "confirm", "reconfirm", "payment", "cancel"]
TABLES = (OrderReference, OrderItem, Authorization, Capture, Refund, StateTransition)
HYPOTHESIS = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

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


def test_amazon_5xx_behind_a_service_error_is_503(api: Any) -> None:
    """A live id on the sandbox path: Amazon answers 500 InternalServerError (spec 1.1), the
    service wraps it in AmazonRequestError: the storefront is told to try again (503)."""
    before = counts()
    response = APIClient().post(
        BASE, {"amazon_order_reference_id": "P03-0000000-0000000"}, format="json"
    )
    assert response.status_code == 503, response.content
    assert response.json()["error"] == "amazon_unavailable"
    assert counts() == before
