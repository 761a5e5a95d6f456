"""Amazon SNS envelope checks: certificate URL, certificate, signature, age (spec 6.2, 6.6).

Done fully, unlike the SDK handler that fetches the certificate every time without a timeout
(STYLE 8): the certificate URL must be https on an sns.<region>.amazonaws.com host, the PEM
is fetched with a timeout and cached, and the RSA signature is checked over the canonical
string. The simulator's certificate URL is accepted only with IPN_TRUST_SIMULATOR.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import re
import threading
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.core.cache import caches
from django.utils import timezone

from ..conf import get_settings

logger = logging.getLogger("django_amazonpay.ipn")

#: spec 6.6, the Python SDK's check: no port, optional .cn
SNS_HOST = re.compile(r"^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$")
SNS_CERT_PATH = re.compile(r"^/(.*)\.pem$")
#: where the simulator serves its certificate (django_amazonpay.sandbox.ipn.CERT_PATH)
SIMULATOR_CERT_PATH = "/sandbox/sns/cert.pem"
CERT_CN = "sns.amazonaws.com"
FETCH_TIMEOUT = (3.05, 5.0)
CERT_CACHE_SECONDS = 24 * 3600

#: spec 6.6: fields of the string to sign, in this order, each only if present
NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
#: AWS SNS docs (not in the Amazon Pay spec): confirmation messages sign these
SUBSCRIPTION_FIELDS = (
    "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
)  # fmt: skip
REQUIRED = ("Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion",
            "Signature", "SigningCertURL")  # fmt: skip
TYPES = ("Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation")
HASHES: dict[str, type[hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}


class Rejected(Exception):
    """The delivery is refused. `status` is what the endpoint answers (400 or 403)."""

    def __init__(self, reason: str, status: int = 400, *, forged: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        #: a signature/certificate problem: someone may be forging notifications
        self.forged = forged


def string_to_sign(envelope: dict[str, Any]) -> str:
    """key\\nvalue\\n for each signed field present, ending with a newline (spec 6.6)."""
    fields = NOTIFICATION_FIELDS if envelope.get("Type") == "Notification" else SUBSCRIPTION_FIELDS
    return "".join(f"{k}\n{envelope[k]}\n" for k in fields if k in envelope)


def _simulator_base() -> str | None:
    settings = get_settings()
    if not settings.ipn_trust_simulator or not settings.endpoint:
        return None
    return settings.endpoint.rstrip("/")


def check_url(url: str, *, path: re.Pattern[str] | None = SNS_CERT_PATH) -> None:
    """An Amazon SNS https URL (spec 6.6), or the simulator's when it is trusted."""
    parts = urlsplit(url)
    simulator = _simulator_base()
    if simulator and url.startswith(simulator + "/"):
        # the simulator's certificate is self-signed: trusted only by explicit setting
        if path is SNS_CERT_PATH and parts.path != urlsplit(simulator).path + SIMULATOR_CERT_PATH:
            raise Rejected(f"not the simulator's certificate URL: {url}", 403, forged=True)
        return
    if parts.scheme != "https":
        raise Rejected(f"URL is not https: {url}", 403, forged=True)
    if not SNS_HOST.match(parts.netloc or ""):
        raise Rejected(f"URL host is not Amazon SNS: {url}", 403, forged=True)
    if path is not None and not path.match(parts.path or ""):
        raise Rejected(f"certificate URL is not a .pem: {url}", 403, forged=True)


_memory: dict[str, x509.Certificate] = {}
_memory_lock = threading.Lock()


def _session() -> Any:
    # the app's pooled session: in tests the simulator is mounted on it (in-process)
    from ..client import get_client

    return get_client().session


def fetch_certificate(url: str) -> x509.Certificate:
    """The certificate at `url`: process memory, then the cache, then HTTP with a timeout."""
    with _memory_lock:
        cert = _memory.get(url)
    if cert is not None:
        return cert
    cache = caches[get_settings().throttle_cache]
    key = "amazonpay:ipn:cert:" + hashlib.sha256(url.encode()).hexdigest()
    pem = cache.get(key)
    if pem is None:
        try:
            response = _session().get(url, timeout=FETCH_TIMEOUT, allow_redirects=False)
        except Exception as exc:  # network trouble: SNS will deliver again
            raise CertificateUnavailable(f"cannot fetch {url}: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise CertificateUnavailable(f"cannot fetch {url}: HTTP {response.status_code}")
        pem = response.content
    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError:
        raise Rejected(f"not a PEM certificate at {url}", 403, forged=True) from None
    cache.set(key, pem, CERT_CACHE_SECONDS)
    with _memory_lock:
        _memory[url] = cert
    return cert


def forget_certificates() -> None:
    """Drop the in-process certificate cache (tests, key rotation)."""
    with _memory_lock:
        _memory.clear()


class CertificateUnavailable(Exception):
    """The certificate could not be fetched: answer 503 so SNS tries again later."""


def check_certificate(cert: x509.Certificate) -> None:
    """CN sns.amazonaws.com (PHP/C# SDK check, spec 6.6), within its validity, RSA."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not names or names[0].value != CERT_CN:
        raise Rejected("certificate is not issued to sns.amazonaws.com", 403, forged=True)
    now = datetime.now(dt_timezone.utc)
    if not (cert.not_valid_before_utc <= now <= cert.not_valid_after_utc):
        raise Rejected("certificate is not valid now", 403, forged=True)
    if not isinstance(cert.public_key(), rsa.RSAPublicKey):
        raise Rejected("certificate key is not RSA", 403, forged=True)


def check_signature(envelope: dict[str, Any], cert: x509.Certificate) -> None:
    """SignatureVersion 1 = SHA1withRSA, 2 = SHA256withRSA over string_to_sign (spec 6.6)."""
    algorithm = HASHES.get(str(envelope.get("SignatureVersion")))
    if algorithm is None:
        raise Rejected(f"unknown SignatureVersion {envelope.get('SignatureVersion')!r}", 403)
    try:
        signature = base64.b64decode(envelope["Signature"], validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise Rejected("Signature is not base64", 403, forged=True) from None
    key = cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    try:
        key.verify(
            signature, string_to_sign(envelope).encode("utf-8"), padding.PKCS1v15(), algorithm()
        )
    except InvalidSignature:
        raise Rejected("signature does not match", 403, forged=True) from None


def parse_timestamp(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        raise Rejected(f"Timestamp is not ISO 8601: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt_timezone.utc)


def check_age(envelope: dict[str, Any], now: datetime | None = None) -> None:
    """Refuse replays: a Timestamp older than IPN_MAX_AGE_SECONDS (or as far in the future).

    The timestamp is signed, so an attacker replaying a captured message cannot refresh it.
    """
    moment = parse_timestamp(envelope["Timestamp"])
    now = now or timezone.now()
    limit = timedelta(seconds=get_settings().ipn_max_age_seconds)
    if now - moment > limit:
        raise Rejected(f"message too old: {envelope['Timestamp']}")
    if moment - now > limit:
        raise Rejected(f"message from the future: {envelope['Timestamp']}")


def check_topic(envelope: dict[str, Any], header_topic: str | None) -> None:
    """The TopicArn is ours: listed in IPN_TOPIC_ARNS, or named after our SellerId (spec 6.2)."""
    topic = envelope["TopicArn"]
    if header_topic is not None and header_topic != topic:
        # the Python SDK's check (spec 6.6): header and envelope must agree
        raise Rejected("x-amz-sns-topic-arn header differs from TopicArn", 400)
    settings = get_settings()
    allowed = settings.ipn_topic_arns
    if allowed is not None:
        ok = topic in allowed
    else:
        ok = bool(re.match(r"^arn:aws(-cn)?:sns:[a-z0-9\-]+:\d{12}:[A-Za-z0-9_\-]+$", topic))
        ok = ok and topic.rsplit(":", 1)[-1].endswith(settings.seller_id)
    if not ok:
        raise Rejected(f"unknown topic {topic}", 403)


def verify(envelope: Any, header_topic: str | None = None) -> dict[str, Any]:
    """Every check of spec 6.6 in order, cheapest first; returns the envelope or raises."""
    if not isinstance(envelope, dict):
        raise Rejected("body is not a JSON object")
    missing = [k for k in REQUIRED if not isinstance(envelope.get(k), str)]
    if envelope.get("Type") == "SubscriptionConfirmation":
        missing += [k for k in ("SubscribeURL", "Token") if not isinstance(envelope.get(k), str)]
    if missing:
        raise Rejected(f"missing or non-text fields: {', '.join(missing)}")
    if envelope["Type"] not in TYPES:
        raise Rejected(f"unknown SNS Type {envelope['Type']!r}")
    check_topic(envelope, header_topic)
    check_age(envelope)
    check_url(envelope["SigningCertURL"])
    cert = fetch_certificate(envelope["SigningCertURL"])
    check_certificate(cert)
    check_signature(envelope, cert)
    return envelope
