"""SNS checks of spec 6.6 on their own: URL allow-list, canonical string, certificate cache."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from cryptography.hazmat.primitives import serialization

from django_amazonpay.ipn import sns

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
    ],
)
def test_amazon_certificate_urls_pass(url: str) -> None:
    sns.check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://sns.us-east-1.amazonaws.com/x.pem",  # not https
        "https://sns.us-east-1.amazonaws.com:8443/x.pem",  # a port
        "https://sns.us-east-1.amazonaws.com.evil.com/x.pem",
        "https://evilsns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com/x.txt",  # not a .pem
        "https://sns.ab.amazonaws.com/x.pem",  # region too short for the regex
        "http://amazonpay-simulator.invalid/sandbox/sns/cert.pem",  # simulator, not trusted
    ],
)
def test_other_urls_fail(url: str, settings: Any) -> None:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "IPN_TRUST_SIMULATOR": False}
    with pytest.raises(sns.Rejected):
        sns.check_url(url)


def test_simulator_url_only_its_certificate_path() -> None:
    # tests/ipn/conftest.py sets IPN_TRUST_SIMULATOR
    sns.check_url("http://amazonpay-simulator.invalid/sandbox/sns/cert.pem")
    with pytest.raises(sns.Rejected):
        sns.check_url("http://amazonpay-simulator.invalid/other.pem")
    with pytest.raises(sns.Rejected):
        sns.check_url("http://amazonpay-simulator.invalid.evil.com/sandbox/sns/cert.pem")


def test_string_to_sign_is_the_documented_one() -> None:
    envelope = {
        "Type": "Notification", "MessageId": "m", "TopicArn": "t", "Message": '{"a": "b"}',
        "Timestamp": "2015-04-30T00:06:49.434Z", "Signature": "x", "SignatureVersion": "1",
        "Subject": "s",
    }  # fmt: skip
    assert sns.string_to_sign(envelope) == (
        'Message\n{"a": "b"}\nMessageId\nm\nSubject\ns\nTimestamp\n'
        "2015-04-30T00:06:49.434Z\nTopicArn\nt\nType\nNotification\n"
    )


def test_the_simulators_certificate_is_fetched_at_every_delivery(sim: Any) -> None:
    """Never cached: a simulator started again (the demo, the next test run, a runserver
    reload) signs with a new key at the same URL, and a day-old cached certificate would
    refuse all its notifications."""
    from django_amazonpay.client import get_client
    from django_amazonpay.sandbox import ipn as sandbox_ipn

    session = get_client().session
    with mock.patch.object(session, "get", wraps=session.get) as get:
        first = sns.fetch_certificate(sim.ipn.cert_url)
        sandbox_ipn._private_key.cache_clear()  # as if the simulator's process restarted
        sim.ipn.key = sandbox_ipn._private_key()
        sim.ipn.certificate = sandbox_ipn._certificate(sim.ipn.key)
        sim.ipn.certificate_pem = sim.ipn.certificate.public_bytes(serialization.Encoding.PEM)
        second = sns.fetch_certificate(sim.ipn.cert_url)
    assert get.call_count == 2
    assert get.call_args.kwargs["timeout"] == sns.FETCH_TIMEOUT
    assert first.public_key().public_numbers() != second.public_key().public_numbers()
    assert second.public_key().public_numbers() == sim.ipn.key.public_key().public_numbers()


def test_unreachable_certificate_is_503(sim: Any, csrf_client: Any) -> None:
    from django_amazonpay.client import get_client
    from tests.ipn.helpers import post_envelope

    envelope = sim.ipn.build_notification("SomethingNew", "<X/>")
    with mock.patch.object(get_client().session, "get", side_effect=OSError("down")):
        response = post_envelope(csrf_client, sim, envelope)
    assert response.status_code == 503  # SNS will deliver again


# -- nothing is fetched before every check that needs no network has passed -------------------


@pytest.fixture
def fetches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every certificate download attempted; the network itself answers as if it were down."""
    from django_amazonpay.ipn import certificates

    attempted: list[str] = []

    def download(url: str) -> bytes:
        attempted.append(url)
        raise certificates.CertificateUnavailable("no network in this test")

    monkeypatch.setattr(certificates, "_download", download)
    return attempted


def _on_a_random_sns_path(sim: Any, **fields: Any) -> dict[str, Any]:
    """A notification of the trusted topic, re-pointed at a random .pem on a real SNS host,
    with `fields` changed after signing."""
    import uuid

    envelope = sim.ipn.build_notification("SomethingNew", "<X/>")
    url = f"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-{uuid.uuid4().hex}.pem"
    return {**envelope, "SigningCertURL": url, **fields}


@pytest.mark.parametrize(
    ("fields", "status", "reason"),
    [
        ({"SignatureVersion": "9"}, 403, "unknown SignatureVersion '9'"),
        ({"SignatureVersion": ""}, 403, "unknown SignatureVersion"),
        ({"Signature": "not base64 at all!"}, 400, "Signature is not base64"),
        ({"Signature": "QUJD"}, 400, "Signature has 3 bytes"),  # valid base64, too short
        ({"Signature": "QUJD" * 400}, 400, "Signature has 1200 bytes"),
        ({"Timestamp": "yesterday"}, 400, "Timestamp is not ISO 8601"),
        ({"Timestamp": "2001-01-01T00:00:00Z"}, 400, "message too old"),
        ({"TopicArn": "arn:aws:sns:us-east-1:123456789012:x"}, 403, "topic not trusted"),
        ({"SigningCertURL": "https://sns.us-east-1.amazonaws.com/x.pem?a=1"}, 400, "not a .pem"),
        ({"SigningCertURL": "https://sns.us-east-1.amazonaws.com/x.pem\n"}, 400, "cannot"),
    ],
)
def test_a_forged_envelope_is_refused_without_any_fetch(
    sim: Any, csrf_client: Any, fetches: list[str], fields: dict, status: int, reason: str
) -> None:
    from django_amazonpay.models import IpnMessage
    from tests.ipn.helpers import assert_error_shape, post_envelope

    for _ in range(3):  # each a new random path: still nothing fetched
        envelope = _on_a_random_sns_path(sim, **fields)
        response = post_envelope(csrf_client, sim, envelope)
        assert_error_shape(response, status)
    assert fetches == []
    assert reason in IpnMessage.objects.latest("id").reason


def test_a_plausible_forgery_is_the_one_that_costs_a_fetch(
    sim: Any, csrf_client: Any, fetches: list[str]
) -> None:
    """The counter counts: with every cheap check passed the certificate is asked for."""
    from tests.ipn.helpers import post_envelope

    envelope = _on_a_random_sns_path(sim)
    assert post_envelope(csrf_client, sim, envelope).status_code == 503
    assert fetches == [envelope["SigningCertURL"]]
