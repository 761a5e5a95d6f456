"""SNS certificates: a regional SNS host, a chain to a trusted root, sns.amazonaws.com.

A test hierarchy (tests/ipn/ca.py) stands in for Amazon's; its root replaces the system
store, and its certificates are served by a fake SNS and Amazon Trust host."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import NameOID

from django_amazonpay.ipn import certificates, sns
from django_amazonpay.ipn.errors import Rejected
from django_amazonpay.models import IpnMessage
from tests.ipn import ca
from tests.ipn.helpers import assert_error_shape, post

pytestmark = pytest.mark.django_db

CERT_URL = "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-0123abcd.pem"
AIA_URL = "http://crt.r2m02.amazontrust.com/r2m02.cer"


class Served(requests.adapters.BaseAdapter):
    """Answers GETs from a dict of URL -> bytes (404 otherwise) and records every URL asked."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, bytes] = {}
        self.asked: list[str] = []

    def send(self, request: Any, **kwargs: Any) -> requests.Response:
        self.asked.append(request.url)
        response = requests.Response()
        body = self.files.get(request.url)
        response.status_code = 200 if body is not None else 404
        response._content, response._content_consumed = body or b"", True
        response.raw = io.BytesIO(body or b"")
        response.url, response.request = request.url, request
        return response

    def close(self) -> None:
        pass


@pytest.fixture
def served(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "IPN_TRUST_SIMULATOR": False}
    adapter = Served()
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    monkeypatch.setattr(certificates, "_session", lambda: session)
    yield adapter


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch) -> ca.Hierarchy:
    """The test hierarchy's root is the only trusted one."""
    chain = ca.hierarchy()
    roots = certificates.trusted_roots([chain.root])
    monkeypatch.setattr(certificates, "trust_store", lambda: roots)
    return chain


def test_a_valid_chain_from_the_pem_bundle_is_accepted(served: Served, trusted: Any) -> None:
    leaf = trusted.leaf()
    served.files[CERT_URL] = ca.pem(leaf, trusted.intermediate)
    assert certificates.signing_certificate(CERT_URL) == leaf
    assert served.asked == [CERT_URL]


def test_an_amazon_certificate_is_fetched_once_per_url(served: Served, trusted: Any) -> None:
    """Kept in process memory and in the shared cache: SNS's certificate URLs name one
    certificate each, and every worker process shares one fetch."""
    served.files[CERT_URL] = ca.pem(trusted.leaf(), trusted.intermediate)
    for _ in range(3):
        certificates.signing_certificate(CERT_URL)
    certificates.forget_certificates()  # another process: the shared cache still has it
    certificates.signing_certificate(CERT_URL)
    assert served.asked == [CERT_URL]


def test_a_missing_intermediate_comes_from_amazon_trust_once(served: Served, trusted: Any) -> None:
    leaf = trusted.leaf(issuer_url=AIA_URL)
    served.files[CERT_URL] = ca.pem(leaf)
    served.files[AIA_URL] = ca.der(trusted.intermediate)
    assert certificates.signing_certificate(CERT_URL) == leaf
    certificates.forget_certificates()  # a new process: the shared cache still has both
    assert certificates.signing_certificate(CERT_URL) == leaf
    assert served.asked == [CERT_URL, AIA_URL]


def test_an_issuer_url_off_amazon_trust_is_not_fetched(served: Served, trusted: Any) -> None:
    evil = "http://crt.evil.example.com/r2m02.cer"
    served.files[CERT_URL] = ca.pem(trusted.leaf(issuer_url=evil))
    served.files[evil] = ca.der(trusted.intermediate)
    with pytest.raises(Rejected, match="not trusted"):
        certificates.signing_certificate(CERT_URL)
    assert served.asked == [CERT_URL]


def test_a_self_signed_leaf_is_rejected(served: Served, trusted: Any) -> None:
    served.files[CERT_URL] = ca.pem(ca.self_signed_leaf(ca.key("attacker")))
    with pytest.raises(Rejected, match="not trusted"):
        certificates.signing_certificate(CERT_URL)


def test_a_chain_to_an_untrusted_root_is_rejected(served: Served, trusted: Any) -> None:
    rogue = ca.hierarchy("rogue")
    served.files[CERT_URL] = ca.pem(rogue.leaf(), rogue.intermediate, rogue.root)
    with pytest.raises(Rejected, match="not trusted"):
        certificates.signing_certificate(CERT_URL)


def test_a_certificate_for_another_name_is_rejected(served: Served, trusted: Any) -> None:
    # the subject still says sns.amazonaws.com; the name that counts is the SAN
    served.files[CERT_URL] = ca.pem(
        trusted.leaf(dns_name="sns.evil.example.com"), trusted.intermediate
    )
    with pytest.raises(Rejected, match="not trusted"):
        certificates.signing_certificate(CERT_URL)


def test_a_certificate_with_another_common_name_is_rejected(served: Served, trusted: Any) -> None:
    served.files[CERT_URL] = ca.pem(trusted.leaf(common_name="evil"), trusted.intermediate)
    with pytest.raises(Rejected, match=r"not issued to sns\.amazonaws\.com"):
        certificates.signing_certificate(CERT_URL)


def test_an_expired_certificate_is_rejected(served: Served, trusted: Any) -> None:
    served.files[CERT_URL] = ca.pem(trusted.leaf(expired=True), trusted.intermediate)
    with pytest.raises(Rejected, match="not trusted"):
        certificates.signing_certificate(CERT_URL)
    assert not certificates._memory  # nothing unverified is kept


def test_a_huge_download_is_refused(served: Served, trusted: Any) -> None:
    served.files[CERT_URL] = b"-----BEGIN CERTIFICATE-----" + b"A" * 100_000
    with pytest.raises(Rejected, match="too large"):
        certificates.signing_certificate(CERT_URL)


@pytest.mark.parametrize(
    "url",
    [
        "https://sns.s3-us-west-2.amazonaws.com/SimpleNotificationService-a.pem",  # S3-style
        "https://sns.us-west-2.amazonaws.com:443/SimpleNotificationService-a.pem",  # a port
        "https://sns.us-west-2.amazonaws.com:8443/SimpleNotificationService-a.pem",
        "https://user@sns.us-west-2.amazonaws.com/SimpleNotificationService-a.pem",
        "https://sns.us-west-2.amazonaws.com./SimpleNotificationService-a.pem",
        "https://SNS.US-WEST-2.AMAZONAWS.COM/SimpleNotificationService-a.pem",
        "https://sns.us-west-2.amazonaws.com.evil.com/SimpleNotificationService-a.pem",
        "https://sns.amazonaws.com/SimpleNotificationService-a.pem",  # no region
        "https://sns.us-west-2.amazonaws.com/a/../../evil.pem",
        "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-a.pem?x=.pem",
        "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-a.pem#x",
        "http://sns.us-west-2.amazonaws.com/SimpleNotificationService-a.pem",
    ],
)
def test_hosts_that_are_not_regional_sns_are_refused_before_any_fetch(
    served: Served, trusted: Any, sim: Any, url: str
) -> None:
    envelope = sim.ipn.build_notification("SomethingNew", "<X/>", sign=False)
    envelope.update(SigningCertURL=url, Signature="AAAA")
    with pytest.raises(Rejected):
        sns.verify(envelope)
    assert served.asked == []


@pytest.mark.parametrize(
    "host",
    [
        "sns.us-east-1.amazonaws.com",
        "sns.ap-northeast-1.amazonaws.com",
        "sns.eu-central-2.amazonaws.com",
        "sns.us-gov-west-1.amazonaws.com",
        "sns.cn-north-1.amazonaws.com.cn",
    ],
)
def test_regional_sns_hosts_match(host: str) -> None:
    assert certificates.SNS_HOST.fullmatch(host)


def _signed_by(chain_key: Any, sim: Any, cert_url: str) -> dict[str, Any]:
    envelope = sim.ipn.build_notification("SomethingNew", "<X/>", sign=False)
    envelope.update(SigningCertURL=cert_url, SignatureVersion="2")
    raw = chain_key.sign(sns.string_to_sign(envelope).encode(), padding.PKCS1v15(), hashes.SHA256())
    envelope["Signature"] = base64.b64encode(raw).decode()
    return envelope


def test_the_endpoint_accepts_a_trusted_chain_and_refuses_a_rogue_one(
    served: Served, trusted: Any, sim: Any, csrf_client: Any, caplog: Any
) -> None:
    served.files[CERT_URL] = ca.pem(trusted.leaf(), trusted.intermediate)
    envelope = _signed_by(trusted.leaf_key, sim, CERT_URL)
    assert post(csrf_client, json.dumps(envelope), sim.ipn.headers_for(envelope)).status_code == 200
    assert IpnMessage.objects.get().verdict == "valid"

    rogue = ca.hierarchy("rogue")
    rogue_url = CERT_URL.replace("0123abcd", "fedc9876")
    served.files[rogue_url] = ca.pem(rogue.leaf(), rogue.intermediate)
    forged = _signed_by(rogue.leaf_key, sim, rogue_url)
    response = post(csrf_client, json.dumps(forged), sim.ipn.headers_for(forged))
    assert assert_error_shape(response, 400)["error"] == "invalid_signature"
    assert IpnMessage.objects.latest("id").verdict == "rejected"
    # still reported where Django reports suspicious operations
    assert [r.levelname for r in caplog.records if r.name.startswith("django.security")] == [
        "WARNING"
    ]
    # the log line tells the status the sender was answered, not the reason's own
    [line] = [r.getMessage() for r in caplog.records if "rejected (" in r.getMessage()]
    assert "rejected (400)" in line


def test_the_system_store_holds_amazons_roots() -> None:
    """The real store (system bundle, else certifi): Amazon's SNS chains end at these."""
    roots = certificates.trust_store()
    names = {
        attribute.value
        for subject in roots.subjects
        for attribute in subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    }
    assert "Amazon Root CA 1" in names
