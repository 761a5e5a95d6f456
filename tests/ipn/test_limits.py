"""The inbox cannot be filled: a size cap before the body is read, summaries of refused
deliveries, a limit on refusals per client, and JSON answers to whatever arrives."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import RequestFactory

from django_amazonpay.ipn import limits
from django_amazonpay.ipn.receiving import EXCERPT_BYTES
from django_amazonpay.ipn.views import ipn_view
from django_amazonpay.models import IpnMessage
from tests.ipn.helpers import IPN_URL, assert_error_shape, notification, post, post_envelope

pytestmark = pytest.mark.django_db

CAP = 8192


@pytest.fixture
def capped(settings: Any) -> None:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "IPN_MAX_BODY_BYTES": CAP}


class Unreadable(io.RawIOBase):
    """A request body that must not be read."""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    readinto = read  # type: ignore[assignment]


def test_an_announced_oversize_body_is_413_without_reading_it(capped: None) -> None:
    request = RequestFactory().post(IPN_URL, data=b"", content_type="text/plain")
    request.META["CONTENT_LENGTH"] = str(2_400_000)
    request._stream = Unreadable()
    data = assert_error_shape(ipn_view(request), 413)
    assert data["error"] == "body_too_large" and "2400000" in data["error_description"]
    message = IpnMessage.objects.get()
    assert (message.verdict, message.http_status, message.body) == ("rejected", 413, "")
    assert message.body_size == 2_400_000


def test_an_unannounced_body_is_read_no_further_than_the_cap(capped: None) -> None:
    """No Content-Length (a server handing on a chunked body): at most CAP + 1 bytes read."""
    request = RequestFactory().post(IPN_URL, data=b"", content_type="text/plain")
    request.META.pop("CONTENT_LENGTH", None)
    stream = io.BytesIO(b"{" * 3_000_000)
    request._stream = stream
    assert_error_shape(ipn_view(request), 413)
    assert stream.tell() <= CAP + 1
    assert IpnMessage.objects.get().body == ""


def test_an_absurd_content_length_is_413_and_stored(capped: None, csrf_client: Any) -> None:
    response = csrf_client.post(
        IPN_URL, data=b"{}", content_type="text/plain", CONTENT_LENGTH="9" * 40
    )
    assert_error_shape(response, 413)
    assert IpnMessage.objects.get().body_size == 2**31 - 1


def test_a_malformed_content_length_is_400(csrf_client: Any) -> None:
    response = csrf_client.post(IPN_URL, data=b"{}", content_type="text/plain", CONTENT_LENGTH="-5")
    assert_error_shape(response, 400)


def test_a_chunked_body_without_a_length_is_411_unread(capped: None) -> None:
    request = RequestFactory().post(IPN_URL, data=b"", content_type="text/plain")
    request.META.pop("CONTENT_LENGTH", None)
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    request._stream = Unreadable()
    data = assert_error_shape(ipn_view(request), 411)
    assert data["error"] == "length_required" and "Content-Length" in data["error_description"]
    assert not IpnMessage.objects.exists()


def test_a_genuine_notification_sent_chunked_is_411_not_an_empty_body(
    sim: Any, csrf_client: Any
) -> None:
    """A WSGI server hands Django a chunked body without CONTENT_LENGTH, and Django then reads
    none of it: the sender is told to send a length, not that its notification is not JSON."""
    envelope = notification(sim, "SomethingNew", "<X/>")
    response = csrf_client.post(
        IPN_URL, data=json.dumps(envelope).encode(), content_type="text/plain; charset=UTF-8",
        headers={"Transfer-Encoding": "chunked"}, CONTENT_LENGTH="",
    )  # fmt: skip
    assert assert_error_shape(response, 411)["error"] == "length_required"
    assert not IpnMessage.objects.filter(body_size=0).exists()


def test_chunked_deliveries_count_as_refusals(settings: Any, csrf_client: Any) -> None:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "IPN_REJECTED_RATE": "2/hour"}

    def status() -> int:
        return csrf_client.post(
            IPN_URL, data=b"{}", content_type="text/plain",
            headers={"Transfer-Encoding": "chunked"}, CONTENT_LENGTH="",
        ).status_code  # fmt: skip

    assert [status(), status(), status()] == [411, 411, 429]


def test_a_body_under_the_cap_is_checked(capped: None, csrf_client: Any) -> None:
    assert_error_shape(post(csrf_client, b"x" * CAP), 400)  # read and refused as not JSON


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "BREW"])
def test_other_methods_are_405_in_the_error_shape(csrf_client: Any, method: str) -> None:
    response = csrf_client.generic(method, IPN_URL, data=b"{}")
    assert response.status_code == 405 and response["Allow"] == "POST"
    if method != "HEAD":
        assert_error_shape(response, 405)
    assert not IpnMessage.objects.exists()


def test_refused_deliveries_keep_a_bounded_summary_only(csrf_client: Any) -> None:
    body = json.dumps({"Type": "Notification", "Padding": "x" * 50_000}).encode()
    assert_error_shape(post(csrf_client, body), 400)
    message = IpnMessage.objects.get()
    assert message.body == body[:EXCERPT_BYTES].decode()
    assert message.body_size == len(body)
    assert all(len(v) <= 256 for v in message.headers.values())


def test_a_flood_of_refused_deliveries_is_429_after_the_limit(
    settings: Any, csrf_client: Any
) -> None:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "IPN_REJECTED_RATE": "3/hour"}
    body = b"not json " + b"x" * 20_000
    statuses = [post(csrf_client, body).status_code for _ in range(6)]
    assert statuses == [400, 400, 400, 429, 429, 429]
    assert assert_error_shape(post(csrf_client, body), 429)["error"] == "too_many_refused"
    assert IpnMessage.objects.count() == 3  # what is throttled is not stored at all
    assert {len(m.body) for m in IpnMessage.objects.all()} == {EXCERPT_BYTES}
    # another client is not affected
    other = csrf_client.post(IPN_URL, data=body, content_type="text/plain", REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 400


def test_ipv6_clients_count_by_their_64_block(settings: Any, csrf_client: Any) -> None:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "IPN_REJECTED_RATE": "2/hour"}

    def status(address: str) -> int:
        return csrf_client.post(
            IPN_URL, data=b"garbage", content_type="text/plain", REMOTE_ADDR=address
        ).status_code

    assert [status("2001:db8:1:2::1"), status("2001:db8:1:2:ffff::9")] == [400, 400]
    assert status("2001:db8:1:2::77") == 429  # the same /64
    assert status("2001:db8:1:3::1") == 400  # the next /64 is another client
    assert IpnMessage.objects.values_list("remote_addr", flat=True)[0].endswith("/64")


def test_a_forwarded_for_header_is_a_claim_not_an_address(settings: Any, csrf_client: Any) -> None:
    """Rotating X-Forwarded-For escapes nothing unless the proxy is trusted (TRUSTED_PROXIES)."""
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "IPN_REJECTED_RATE": "2/hour"}

    def status(forwarded: str) -> int:
        return csrf_client.post(
            IPN_URL, data=b"garbage", content_type="text/plain",
            headers={"X-Forwarded-For": forwarded},
        ).status_code  # fmt: skip

    assert [status(f"203.0.113.{n}") for n in range(4)] == [400, 400, 429, 429]
    settings.AMAZON_PAY = {
        **settings.AMAZON_PAY, "IPN_REJECTED_RATE": "2/hour", "TRUSTED_PROXIES": ["127.0.0.1/32"]
    }  # fmt: skip
    assert [status("203.0.113.50"), status("203.0.113.51")] == [400, 400]  # two clients now
    assert IpnMessage.objects.order_by("-id").values_list("remote_addr", flat=True)[0] == (
        "203.0.113.51"
    )


def test_oversized_bodies_count_as_refusals(settings: Any, capped: None, csrf_client: Any) -> None:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "IPN_REJECTED_RATE": "2/hour"}
    statuses = [post(csrf_client, b"x" * (CAP + 1)).status_code for _ in range(3)]
    assert statuses == [413, 413, 429]


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
    ],
)
def test_deeply_nested_json_is_400_and_leaves_no_row_behind(
    settings: Any, csrf_client: Any, body: bytes
) -> None:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "IPN_MAX_BODY_BYTES": 1048576}
    response = post(csrf_client, body)
    assert "nested too deeply" in assert_error_shape(response, 400)["error_description"]
    message = IpnMessage.objects.get()
    assert (message.verdict, message.processing) == ("rejected", "ignored")


def test_nested_json_inside_a_signed_message_is_400(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    envelope = notification(sim, "PaymentAuthorize", "<X/>")
    envelope["Message"] = "[" * 5_000 + "]" * 5_000
    sim.ipn.sign(envelope)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_envelope(csrf_client, sim, envelope)
    assert "nested too deeply" in assert_error_shape(response, 400)["error_description"]
    message = IpnMessage.objects.get()
    assert (message.verdict, message.processing) == ("rejected", "ignored")


def test_nested_xml_inside_a_signed_message_is_400(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><AuthorizationNotification>'
        + "<a>" * 2_000 + "</a>" * 2_000 + "</AuthorizationNotification>"
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = post_envelope(csrf_client, sim, notification(sim, "PaymentAuthorize", xml))
    assert_error_shape(response, 400)
    assert IpnMessage.objects.get().verdict == "rejected"


def test_invalid_utf8_is_400(csrf_client: Any) -> None:
    response = csrf_client.post(
        IPN_URL, data=b'{"Type": "\xff\xfe"}', content_type="text/plain; charset=utf-8"
    )  # exactly "utf-8": the test client then sends the bytes unchanged
    assert_error_shape(response, 400)
    assert IpnMessage.objects.get().reason == "body is not UTF-8 text"


@pytest.mark.parametrize(
    "body",
    [
        b'{"Type": "\\ud800", "TopicArn": "\\udfff", "MessageId": "\\u0000"}',
        b'{"Type": "Notification", "MessageId": "m", "Message": "x", "Timestamp": "x", '
        b'"SignatureVersion": "1", "Signature": "x", "SigningCertURL": "x", '
        b'"TopicArn": "arn:aws:sns:us-west-2:123456789012:\\ud800A1TESTSELLER00"}',
    ],
)
def test_json_escapes_no_database_can_hold_are_400(csrf_client: Any, body: bytes) -> None:
    """A lone surrogate or NUL spelt in JSON: stored replaced, answered 4xx, never a 500."""
    response = post(csrf_client, body)
    assert response.status_code in (400, 403)
    assert_error_shape(response, response.status_code)
    message = IpnMessage.objects.get()
    assert message.verdict == "rejected" and "\ud800" not in message.topic_arn


def test_many_clients_together_cannot_fill_the_inbox(
    csrf_client: Any, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    """Each address within its own limit, but the hour's summaries are shared by all."""
    monkeypatch.setattr(limits, "MAX_REFUSED_SUMMARIES_PER_HOUR", 2)
    statuses = [
        csrf_client.post(
            IPN_URL, data=b"garbage", content_type="text/plain", REMOTE_ADDR=f"198.51.100.{n}"
        ).status_code
        for n in range(5)
    ]
    assert statuses == [400] * 5  # still answered, in the error shape
    assert IpnMessage.objects.count() == 2
    assert caplog.text.count("not kept") == 3
