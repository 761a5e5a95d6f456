"""The endpoint with the simulator's signed notifications, and forged/tampered/replayed ones."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from django_amazonpay.models import Authorization, IpnMessage, MwsCall, StateTransition
from tests.ipn.helpers import IPN_URL, deliveries, pending_authorization, post, post_envelope

pytestmark = pytest.mark.django_db


def _settle(sim: Any) -> Any:
    auth = pending_authorization(sim)
    sim.advance(31)  # spec 3.6 / engine: async authorizations settle after 30 s
    [delivery] = deliveries(sim, "PaymentAuthorize")
    return auth, delivery


def test_valid_notification_makes_a_read_applied_with_source_ipn(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    auth, delivery = _settle(sim)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(csrf_client, delivery.body, delivery.headers)
    assert response.status_code == 200
    auth.refresh_from_db()
    assert auth.state == "Open"
    transition = StateTransition.objects.get(authorization=auth, to_state="Open")
    assert transition.source == "ipn"
    # what was applied is the answer to our own GetAuthorizationDetails, not the notification
    read = MwsCall.objects.filter(operation="GetAuthorizationDetails").latest("id")
    assert read.object_id == auth.amazon_authorization_id
    assert transition.request_id == read.request_id != delivery.envelope["MessageId"]
    message = IpnMessage.objects.get()
    assert (message.verdict, message.processing) == ("valid", "processed")
    assert message.notification_type == "PaymentAuthorize"
    assert message.object_id == message.read_target == auth.amazon_authorization_id
    assert message.read_started_at is not None
    assert message.body == delivery.body.decode()  # verified: kept whole
    assert message.body_size == len(delivery.body)


def test_replayed_message_id_is_acknowledged_once(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    auth, delivery = _settle(sim)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(csrf_client, delivery.body, delivery.headers).status_code == 200
        assert post(csrf_client, delivery.body, delivery.headers).status_code == 200
    rows = IpnMessage.objects.order_by("id").values_list("verdict", "processing", "attempts")
    assert list(rows) == [("valid", "processed", 1), ("duplicate", "ignored", 0)]
    assert StateTransition.objects.filter(authorization=auth, to_state="Open").count() == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"Type": "Notification"}', "missing"),
    ],
)
def test_garbage_is_400_and_stored(csrf_client: Any, body: bytes, reason: str) -> None:
    response = post(csrf_client, body)
    assert response.status_code == 400
    message = IpnMessage.objects.get()
    assert message.verdict == "rejected" and reason in message.reason
    assert message.body == body.decode()


def test_get_is_not_allowed(csrf_client: Any) -> None:
    assert csrf_client.get(IPN_URL).status_code == 405
    assert not IpnMessage.objects.exists()


def _assert_nothing_changed(auth: Authorization) -> None:
    auth.refresh_from_db()
    assert auth.state == "Pending"
    assert not StateTransition.objects.filter(authorization=auth, source="ipn").exists()


def test_tampered_message_is_refused(sim: Any, csrf_client: Any) -> None:
    auth, delivery = _settle(sim)
    envelope = dict(delivery.envelope)
    envelope["Message"] = envelope["Message"].replace("Open", "Closed")
    response = post_envelope(csrf_client, sim, envelope)
    assert response.status_code == 400
    assert IpnMessage.objects.get().reason == "signature does not match"
    _assert_nothing_changed(auth)


def test_forged_with_another_key_is_refused(sim: Any, csrf_client: Any) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    from django_amazonpay.sandbox.ipn import string_to_sign

    auth, delivery = _settle(sim)
    envelope = dict(delivery.envelope)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raw = key.sign(string_to_sign(envelope).encode(), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    import base64

    envelope["Signature"] = base64.b64encode(raw).decode()
    assert post_envelope(csrf_client, sim, envelope).status_code == 400
    _assert_nothing_changed(auth)


def test_certificate_url_off_amazon_is_refused(sim: Any, csrf_client: Any) -> None:
    auth, delivery = _settle(sim)
    envelope = dict(delivery.envelope, SigningCertURL="https://evil.example.com/x.pem")
    sim.ipn.sign(envelope)
    assert post_envelope(csrf_client, sim, envelope).status_code == 400
    assert "not Amazon SNS" in IpnMessage.objects.get().reason
    _assert_nothing_changed(auth)


def test_simulator_certificate_needs_the_setting(sim: Any, csrf_client: Any, settings: Any) -> None:
    auth, delivery = _settle(sim)
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "IPN_TRUST_SIMULATOR": False}
    assert post(csrf_client, delivery.body, delivery.headers).status_code == 400
    assert "not https" in IpnMessage.objects.get().reason
    _assert_nothing_changed(auth)


def test_expired_message_is_refused(sim: Any, csrf_client: Any) -> None:
    auth = pending_authorization(sim)
    old = datetime.now(timezone.utc) - timedelta(hours=2)
    sim.advance(31)
    data = deliveries(sim, "PaymentAuthorize")[0].message["NotificationData"]
    envelope = sim.ipn.build_notification("PaymentAuthorize", data, timestamp=old)
    assert post_envelope(csrf_client, sim, envelope).status_code == 400
    assert "too old" in IpnMessage.objects.get().reason
    _assert_nothing_changed(auth)


def test_wrong_seller_is_403(sim: Any, csrf_client: Any) -> None:
    auth, delivery = _settle(sim)
    message = json.loads(delivery.envelope["Message"])
    message["SellerId"] = "A2OTHERSELLER"
    envelope = dict(delivery.envelope, Message=json.dumps(message))
    sim.ipn.sign(envelope)
    assert post_envelope(csrf_client, sim, envelope).status_code == 403
    assert "SellerId" in IpnMessage.objects.get().reason
    _assert_nothing_changed(auth)


def test_wrong_release_environment_is_403(sim: Any, csrf_client: Any) -> None:
    auth, delivery = _settle(sim)
    data = delivery.message["NotificationData"]
    envelope = sim.ipn.build_notification("PaymentAuthorize", data, environment="Live")
    assert post_envelope(csrf_client, sim, envelope).status_code == 403
    assert "ReleaseEnvironment" in IpnMessage.objects.get().reason
    _assert_nothing_changed(auth)


def test_unknown_topic_is_403(sim: Any, csrf_client: Any) -> None:
    auth, delivery = _settle(sim)
    envelope = dict(delivery.envelope, TopicArn="arn:aws:sns:us-east-1:123456789012:SomeoneElse")
    sim.ipn.sign(envelope)
    assert post_envelope(csrf_client, sim, envelope).status_code == 403
    _assert_nothing_changed(auth)


def test_unknown_notification_type_is_acknowledged(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    envelope = sim.ipn.build_notification("SomethingNew", "<SomethingNew/>")
    with django_capture_on_commit_callbacks(execute=True):
        assert post_envelope(csrf_client, sim, envelope).status_code == 200
    message = IpnMessage.objects.get()
    assert (message.verdict, message.processing) == ("valid", "ignored")
    assert "unknown IPN type SomethingNew" in caplog.text
    assert message.result == "unknown notification type SomethingNew"


def test_sha256_signature_version_2(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from django_amazonpay.sandbox.ipn import string_to_sign

    auth, delivery = _settle(sim)
    envelope = dict(delivery.envelope, SignatureVersion="2")
    raw = sim.ipn.key.sign(string_to_sign(envelope).encode(), padding.PKCS1v15(), hashes.SHA256())
    envelope["Signature"] = base64.b64encode(raw).decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert post_envelope(csrf_client, sim, envelope).status_code == 200
    auth.refresh_from_db()
    assert auth.state == "Open"
