"""No text of a delivery can start a line of its own in a log, a stored reason or an answer.

Every field the endpoint quotes (the topic, the certificate and subscribe URLs, the timestamp,
the type and version, the Message's SellerId and NotificationType, the Content-Length) is
sent with each kind of line break followed by a line that looks like one of our records
(docs/logs.md).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from django_amazonpay.ipn.errors import Rejected
from django_amazonpay.models import IpnMessage
from tests.ipn.helpers import IPN_URL, assert_error_shape, notification, post

pytestmark = pytest.mark.django_db

FAKE = "2026-12-02 06:54:42,087 django_amazonpay.ipn INFO IPN #999 valid: all good"
#: every character str.splitlines() breaks a line at
BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"]
FORMAT = logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s")


def fake_lines(text: str) -> list[str]:
    """The lines of `text` an injected record would have started."""
    return [line for line in text.splitlines() if line.startswith(FAKE[:10])]


def assert_no_injected_line(caplog: Any, *texts: str) -> None:
    logged = "\n".join(FORMAT.format(record) for record in caplog.records)
    assert FAKE[:10] in logged, "the hostile value was not logged at all"
    assert fake_lines(logged) == [], logged
    for text in texts:
        assert fake_lines(text) == [], text


def _posted(csrf_client: Any, envelope: dict[str, Any], headers: dict | None = None) -> Any:
    return post(csrf_client, json.dumps(envelope), headers)


def _message(sim: Any, **fields: Any) -> dict[str, Any]:
    """A signed notification whose Message JSON has `fields` changed."""
    envelope = sim.ipn.build_notification("SomethingNew", "<X/>", sign=False)
    message = json.loads(envelope["Message"])
    message.update(fields)
    envelope["Message"] = json.dumps(message)
    return sim.ipn.sign(envelope)


def _forged(sim: Any, field: str, value: str) -> dict[str, Any]:
    """A notification with `field` replaced after signing (the checks before the signature
    quote it)."""
    envelope = notification(sim, "SomethingNew", "<X/>")
    if field == "SubscribeURL":
        envelope = sim.ipn.build_notification("SomethingNew", "<X/>")
        envelope.update(Type="SubscriptionConfirmation", Token="t")
    envelope[field] = value
    return envelope


@pytest.mark.parametrize("brk", BREAKS, ids=[f"U+{ord(b[-1]):04X}" for b in BREAKS])
@pytest.mark.parametrize(
    ("field", "prefix"),
    [
        ("TopicArn", "x"),
        ("SigningCertURL", "https://sns.us-east-1.amazonaws.com/a.pem"),
        ("SubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"),
        ("Timestamp", "2026-12-02T06:54:42Z"),
        ("Type", "Notification"),
        ("SignatureVersion", "1"),
    ],
)
def test_an_envelope_field_cannot_forge_a_log_line(
    sim: Any, csrf_client: Any, caplog: Any, field: str, prefix: str, brk: str
) -> None:
    caplog.set_level(logging.DEBUG)
    response = _posted(csrf_client, _forged(sim, field, prefix + brk + FAKE))
    data = assert_error_shape(response, response.status_code)
    assert 400 <= response.status_code < 500
    message = IpnMessage.objects.get()
    assert message.verdict == "rejected"
    assert_no_injected_line(caplog, message.reason, data["error_description"])


@pytest.mark.parametrize("brk", ["\n", "\r", "\u2028", "\x85"])
@pytest.mark.parametrize("field", ["SellerId", "ReleaseEnvironment"])
def test_a_signed_message_field_cannot_forge_a_log_line(
    sim: Any, csrf_client: Any, caplog: Any, field: str, brk: str
) -> None:
    caplog.set_level(logging.DEBUG)
    response = _posted(csrf_client, _message(sim, **{field: "x" + brk + FAKE}))
    data = assert_error_shape(response, 403)
    assert_no_injected_line(caplog, IpnMessage.objects.get().reason, data["error_description"])


@pytest.mark.parametrize("brk", ["\n", "\u2028"])
def test_a_valid_notification_of_an_unknown_type_cannot_forge_a_log_line(
    sim: Any, csrf_client: Any, caplog: Any, django_capture_on_commit_callbacks: Any, brk: str
) -> None:
    """Verified, followed, logged as unknown: its type is still the sender's text."""
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        response = _posted(csrf_client, _message(sim, NotificationType="New" + brk + FAKE))
    assert response.status_code == 200
    message = IpnMessage.objects.get()
    assert message.processing == "ignored"
    assert_no_injected_line(caplog, message.result)


def test_the_topic_header_cannot_forge_a_log_line(sim: Any, csrf_client: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    envelope = {**notification(sim, "SomethingNew", "<X/>"), "TopicArn": "x\n" + FAKE}
    response = _posted(csrf_client, envelope, {"x-amz-sns-topic-arn": "y\n" + FAKE})
    assert_error_shape(response, 400)
    text = "\n".join(FORMAT.format(record) for record in caplog.records)
    assert fake_lines(text) == []


def test_a_content_length_cannot_forge_a_log_line(csrf_client: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    response = csrf_client.post(
        IPN_URL, data=b"{}", content_type="text/plain", CONTENT_LENGTH="1\n" + FAKE
    )
    data = assert_error_shape(response, 400)
    assert fake_lines(data["error_description"]) == []
    assert fake_lines("\n".join(FORMAT.format(record) for record in caplog.records)) == []


@pytest.mark.parametrize("brk", [*BREAKS, "\x00", "\x1b", "\x9b", "\u202e", "\ud800"])
def test_every_reason_is_one_line_whoever_builds_it(brk: str) -> None:
    """The root: a Rejected escapes its reason itself, so no call site can forget it."""
    reason = Rejected(f"anything {'x' + brk + FAKE}").reason
    assert len(reason.splitlines()) == 1 and brk not in reason
    assert FAKE in reason
