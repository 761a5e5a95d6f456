"""Hostile IPN deliveries (issue 7 item 3): malformed, oversized, forged, tampered, replayed.

Whatever arrives: never a 5xx, every refusal in the {"error", "error_description"} shape, no
payment table changes unless the delivery checks out, and a refused delivery keeps at most a
summary of its body (docs/ipn.md, The inbox).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from django_amazonpay.client import reset_clients
from django_amazonpay.ipn.receiving import EXCERPT_BYTES
from django_amazonpay.ipn.sns import forget_certificates
from django_amazonpay.models import (
    Authorization,
    Capture,
    IpnMessage,
    OrderReference,
    Refund,
    StateTransition,
)
from tests.celery_app import app as celery_app
from tests.hostile_settings import hostile_settings
from tests.ipn.helpers import IPN_URL, assert_error_shape, deliveries, pending_authorization

pytestmark = pytest.mark.django_db

HYPOTHESIS = hostile_settings(60)
PAYMENT_TABLES = (OrderReference, Authorization, Capture, Refund, StateTransition)


@pytest.fixture
def sim(settings: Any, amazon_pay_simulator: Any) -> Iterator[Any]:
    celery_app.conf.task_always_eager = True
    # refusals are not rate limited here: these tests send hundreds (tests/ipn/test_limits.py
    # tests the limit)
    settings.AMAZON_PAY = {
        **settings.AMAZON_PAY, "IPN_TRUST_SIMULATOR": True, "IPN_REJECTED_RATE": None
    }  # fmt: skip
    settings.ROOT_URLCONF = "tests.ipn.urls"
    reset_clients()
    forget_certificates()
    cache.clear()
    from django_amazonpay.testing import mount_simulator

    mount_simulator(amazon_pay_simulator)
    yield amazon_pay_simulator
    reset_clients()
    forget_certificates()


@pytest.fixture
def genuine(sim: Any) -> tuple[Authorization, Any]:
    """A pending authorization and the simulator's signed PaymentAuthorize that opens it."""
    auth = pending_authorization(sim)
    sim.advance(31)
    [delivery] = deliveries(sim, "PaymentAuthorize")
    return auth, delivery


def snapshot() -> dict[str, list]:
    return {m.__name__: sorted(map(str, m.objects.values_list())) for m in PAYMENT_TABLES}


def client() -> Client:
    return Client(enforce_csrf_checks=True)  # SNS sends no CSRF token


def post(client: Client, body: bytes | str, headers: dict[str, str] | None = None) -> Any:
    """Raw bytes as they come (the test client re-encodes bytes unless the charset is
    spelled exactly "utf-8", which chokes on the invalid UTF-8 a hostile sender may send)."""
    return client.post(
        IPN_URL,
        data=body if isinstance(body, bytes) else body.encode(),
        content_type="text/plain; charset=utf-8",
        headers=headers or {},
    )


@HYPOTHESIS
@given(body=st.binary(max_size=2000))
def test_random_bytes(sim: Any, body: bytes) -> None:
    before = snapshot()
    response = post(client(), body)
    assert 400 <= response.status_code < 500, response.status_code
    assert snapshot() == before


@HYPOTHESIS
@given(
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=30),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=12), c, max_size=4),
        max_leaves=10,
    )
)
def test_random_json(sim: Any, body: Any) -> None:
    before = snapshot()
    response = post(client(), json.dumps(body))
    assert 400 <= response.status_code < 500, response.status_code
    assert snapshot() == before


SIGNED = ["Message", "MessageId", "Timestamp", "TopicArn", "Type"]
VALUES = st.one_of(
    st.text(max_size=50),
    st.sampled_from(["", "🎍" * 100, "x" * 20_000, "Notification", "SubscriptionConfirmation"]),
    st.integers(),
    st.none(),
)


@HYPOTHESIS
@given(field=st.sampled_from([*SIGNED, "Signature", "SigningCertURL", "SignatureVersion"]),
       value=VALUES)  # fmt: skip
def test_tampered_or_forged_envelope_applies_nothing(genuine, field: str, value: Any) -> None:
    _auth, delivery = genuine
    envelope = dict(delivery.envelope)
    if value == envelope.get(field):
        return
    envelope[field] = value
    before = snapshot()
    response = post(client(), json.dumps(envelope), delivery.headers)
    assert response.status_code in (400, 403), (field, response.status_code)
    assert snapshot() == before


@HYPOTHESIS
@given(field=st.sampled_from([*SIGNED, "Signature", "SigningCertURL"]))
def test_dropped_field_applies_nothing(genuine, field: str) -> None:
    _auth, delivery = genuine
    envelope = {k: v for k, v in delivery.envelope.items() if k != field}
    before = snapshot()
    response = post(client(), json.dumps(envelope), delivery.headers)
    assert response.status_code in (400, 403), (field, response.status_code)
    assert snapshot() == before


def test_tampered_inner_message_amount(genuine) -> None:
    """The XML inside Message says Open for 6500: raise the amount, keep the signature."""
    _auth, delivery = genuine
    envelope = dict(delivery.envelope)
    message = json.loads(envelope["Message"])
    message["NotificationData"] = message["NotificationData"].replace("6500", "9999999")
    envelope["Message"] = json.dumps(message)
    before = snapshot()
    assert post(client(), json.dumps(envelope), delivery.headers).status_code == 400
    assert snapshot() == before


def test_bit_flipped_signature(genuine) -> None:
    _auth, delivery = genuine
    envelope = dict(delivery.envelope)
    raw = bytearray(base64.b64decode(envelope["Signature"]))
    raw[10] ^= 0x01
    envelope["Signature"] = base64.b64encode(bytes(raw)).decode()
    before = snapshot()
    assert post(client(), json.dumps(envelope), delivery.headers).status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("size", [30_000, 100_000, 2_000_000, 3_000_000])
def test_oversized_bodies(genuine, size: int, django_capture_on_commit_callbacks) -> None:
    """Padding around a genuine envelope (an unsigned field): under the cap it is still the
    genuine notification, followed once; over it (or Django's upload limit) 413, unread."""
    auth, delivery = genuine
    envelope = dict(delivery.envelope, Padding="x" * size)
    body = json.dumps(envelope).encode()
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client(), body, delivery.headers)
    if len(body) > 65536:
        assert_error_shape(response, 413)
        assert snapshot() == before
        assert IpnMessage.objects.get().body == ""
    else:  # the signed fields are intact: the genuine notification
        assert response.status_code == 200
        auth.refresh_from_db()
        assert auth.state == "Open"


def test_replayed_many_times_applies_once(genuine, django_capture_on_commit_callbacks) -> None:
    auth, delivery = genuine
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [post(client(), delivery.body, delivery.headers).status_code for _ in range(8)]
    assert statuses == [200] * 8  # SNS must stop re-sending: duplicates are acknowledged
    auth.refresh_from_db()
    assert auth.state == "Open"
    assert StateTransition.objects.filter(authorization=auth, to_state="Open").count() == 1


def test_replay_with_a_new_message_id_is_refused(genuine) -> None:
    """A replay dressed up with a fresh MessageId breaks the signature."""
    _auth, delivery = genuine
    envelope = dict(delivery.envelope, MessageId="11111111-2222-3333-4444-555555555555")
    before = snapshot()
    assert post(client(), json.dumps(envelope), delivery.headers).status_code == 400
    assert snapshot() == before


# -- anything at all: methods, content types, headers, bodies ----------------------------------

HEADER_NAMES = st.sampled_from(
    ["x-amz-sns-message-type", "x-amz-sns-message-id", "x-amz-sns-topic-arn",
     "x-amz-sns-subscription-arn", "user-agent", "x-forwarded-for", "accept", "x-anything"]
)  # fmt: skip
# header values a WSGI server can hand on: latin-1 text, control characters and NUL included
HEADER_VALUES = st.text(st.characters(max_codepoint=255), max_size=300)
NESTED = st.integers(1, 50_000).map(lambda n: "[" * n + "]" * n)
BODIES = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=3000).map(str.encode),
    NESTED.map(str.encode),
    st.sampled_from([b"\x00" * 100, rb'{"Type": "Notification\u0000"}', b"x" * 70_000]),
    st.builds(
        lambda inner: json.dumps({"Type": "Notification", "Message": inner}).encode(),
        st.one_of(NESTED, st.text(max_size=200)),
    ),
)
# JSON may spell what no database or log can hold: lone surrogates ("\ud800"), NUL ("\u0000")
ANY_CHARACTER = st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr), st.just("\x00"))
ENVELOPE_LIKE = st.dictionaries(
    st.sampled_from(["Type", "MessageId", "TopicArn", "Message", "Timestamp", "SigningCertURL",
                     "SignatureVersion", "Signature", "SubscribeURL", "Token"]),
    st.one_of(st.text(ANY_CHARACTER, max_size=40), st.sampled_from(["Notification"])),
    max_size=10,
).map(lambda envelope: json.dumps(envelope).encode())  # fmt: skip
BODIES = st.one_of(BODIES, ENVELOPE_LIKE)
CONTENT_TYPES = st.sampled_from(
    ["text/plain; charset=utf-8", "application/json", "multipart/form-data; boundary=x",
     "application/x-www-form-urlencoded", "application/xml", "", "text/plain; charset=latin-1"]
)  # fmt: skip
LENGTHS = st.sampled_from([None, "", "abc", "-1", "0", "10", "9" * 30, " 12"])
METHODS = st.sampled_from(["POST", "POST", "POST", "GET", "PUT", "PATCH", "DELETE", "OPTIONS"])


@HYPOTHESIS
@given(
    method=METHODS,
    body=BODIES,
    content_type=CONTENT_TYPES,
    headers=st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=5),
    length=LENGTHS,
)
def test_anything_is_a_4xx_in_the_error_shape_and_stores_no_full_body(
    sim: Any, method: str, body: bytes, content_type: str, headers: dict[str, str], length: Any
) -> None:
    before = snapshot()
    rows = set(IpnMessage.objects.values_list("pk", flat=True))
    extra = {} if length is None else {"CONTENT_LENGTH": length}
    response = client().generic(
        method, IPN_URL, data=body, content_type=content_type, headers=headers, **extra
    )
    assert 400 <= response.status_code < 500, response.status_code
    assert_error_shape(response, response.status_code)
    assert snapshot() == before
    for message in IpnMessage.objects.exclude(pk__in=rows):
        assert message.verdict == "rejected"
        assert message.processing == "ignored"  # never left at received/pending
        assert len(message.body) <= EXCERPT_BYTES


@HYPOTHESIS
@given(body=ENVELOPE_LIKE)
def test_envelope_shaped_json_with_any_characters(sim: Any, body: bytes) -> None:
    """Field values no database column can hold (lone surrogates, NUL) are stored replaced."""
    before = snapshot()
    response = post(client(), body)
    assert 400 <= response.status_code < 500, response.status_code
    assert_error_shape(response, response.status_code)
    assert snapshot() == before


# -- log injection: no delivery writes a line of its own into a log, a reason or an answer ------

FORGED_LINE = "2026-12-02 06:54:42,087 django_amazonpay.ipn INFO IPN #999 valid: all good"
LINE_BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1e"]


def _one_line_each(caplog: Any, *texts: str) -> None:
    formatter = logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s")
    for record in caplog.records:
        assert len(formatter.format(record).splitlines()) == 1, formatter.format(record)
    for text in texts:
        assert len(text.splitlines()) <= 1, text


def test_a_topic_carrying_a_log_line_forges_none(sim: Any, caplog: Any) -> None:
    """The reported attack: the TopicArn's line break made the rest a record of its own in the
    server log, in the row's reason and in the answer."""
    caplog.set_level(logging.DEBUG)
    envelope = sim.ipn.build_notification("SomethingNew", "<X/>")
    envelope["TopicArn"] = "x\n" + FORGED_LINE
    response = post(client(), json.dumps(envelope))
    data = assert_error_shape(response, 403)
    reason = IpnMessage.objects.get().reason
    assert FORGED_LINE in reason and FORGED_LINE in data["error_description"]  # quoted, escaped
    _one_line_each(caplog, reason, data["error_description"])
    assert any(FORGED_LINE in record.getMessage() for record in caplog.records)


@HYPOTHESIS
@given(
    field=st.sampled_from([*SIGNED, "SigningCertURL", "SignatureVersion", "Signature"]),
    before=st.text(max_size=20),
    brk=st.sampled_from(LINE_BREAKS),
    after=st.text(max_size=20),
)
def test_no_field_puts_a_line_break_in_a_log_a_reason_or_an_answer(
    sim: Any, caplog: Any, field: str, before: str, brk: str, after: str
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    envelope = sim.ipn.build_notification("SomethingNew", "<X/>")
    envelope[field] = before + brk + after
    response = post(client(), json.dumps(envelope))
    assert 400 <= response.status_code < 500, response.status_code
    data = assert_error_shape(response, response.status_code)
    message = IpnMessage.objects.order_by("-id").first()
    _one_line_each(caplog, message.reason if message else "", data["error_description"])
