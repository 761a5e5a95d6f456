"""SNS checks of spec 6.6 on their own: URL allow-list, canonical string, certificate cache."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

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


def test_certificate_is_fetched_once_with_a_timeout(sim: Any) -> None:
    from django_amazonpay.client import get_client

    session = get_client().session
    with mock.patch.object(session, "get", wraps=session.get) as get:
        for _ in range(3):
            cert = sns.fetch_certificate(sim.ipn.cert_url)
        sns.forget_certificates()  # process memory gone: the shared cache still has it
        sns.fetch_certificate(sim.ipn.cert_url)
    assert get.call_count == 1
    assert get.call_args.kwargs["timeout"] == sns.FETCH_TIMEOUT
    assert cert.public_key().public_numbers() == sim.ipn.certificate.public_key().public_numbers()


def test_unreachable_certificate_is_503(sim: Any, csrf_client: Any) -> None:
    from django_amazonpay.client import get_client
    from tests.ipn.helpers import post_envelope

    envelope = sim.ipn.build_notification("SomethingNew", "<X/>")
    with mock.patch.object(get_client().session, "get", side_effect=OSError("down")):
        response = post_envelope(csrf_client, sim, envelope)
    assert response.status_code == 503  # SNS will deliver again
