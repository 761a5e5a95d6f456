"""Amazon SNS envelope checks: fields, topic, age, signature form, URLs, certificate, signature.

Cheapest first, and nothing is fetched before every check that needs no network passed: the
topic (trust.py) says who published, the certificate (certificates.py) and the signature
that SNS delivered it unchanged. See docs/ipn.md.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.utils import timezone

from ..conf import get_settings
from ..safetext import quoted
from .certificates import (
    FETCH_TIMEOUT,
    check_certificate,
    check_sns_url,
    forget_certificates,
    is_simulator_url,
    signing_certificate,
)
from .errors import CertificateUnavailable, Rejected
from .trust import is_trusted_topic

__all__ = [
    "FETCH_TIMEOUT",
    "CertificateUnavailable",
    "Rejected",
    "check_age",
    "check_certificate",
    "check_signature",
    "check_subscribe_url",
    "check_topic",
    "check_url",
    "fetch_certificate",
    "forget_certificates",
    "string_to_sign",
    "verify",
]

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
#: how far ahead of our clock a Timestamp may be: the tolerance MWS itself gives request
#: timestamps; anything later is refused, whatever IPN_MAX_AGE_SECONDS says (docs/ipn.md)
FUTURE_TOLERANCE = timedelta(minutes=15)
#: the sizes an RSA signature can have, in bytes: a 2048-bit key (the least the certificate
#: check accepts; SNS's are 2048-bit, observed) up to 8192 bits
SIGNATURE_BYTES = (256, 1024)

#: the certificate checks under their former names (callers and tests use these)
check_url = check_sns_url
fetch_certificate = signing_certificate


def string_to_sign(envelope: dict[str, Any]) -> str:
    """key\\nvalue\\n for each signed field present, ending with a newline (spec 6.6)."""
    fields = NOTIFICATION_FIELDS if envelope.get("Type") == "Notification" else SUBSCRIPTION_FIELDS
    return "".join(f"{k}\n{envelope[k]}\n" for k in fields if k in envelope)


def signature_of(envelope: dict[str, Any]) -> tuple[type[hashes.HashAlgorithm], bytes]:
    """The hash and the signature bytes, or Rejected: a SignatureVersion we know (1 SHA1, 2
    SHA256) and base64 of a plausible RSA signature. Needs no certificate, so it is checked
    before one is fetched (docs/ipn.md, What the endpoint does)."""
    algorithm = HASHES.get(str(envelope.get("SignatureVersion")))
    if algorithm is None:
        version = quoted(envelope.get("SignatureVersion"))
        raise Rejected(f"unknown SignatureVersion {version}", 403)
    try:
        signature = base64.b64decode(envelope["Signature"], validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise Rejected("Signature is not base64", 403, forged=True) from None
    if not SIGNATURE_BYTES[0] <= len(signature) <= SIGNATURE_BYTES[1]:
        raise Rejected(
            f"Signature has {len(signature)} bytes, not an RSA signature's", 403, forged=True
        )
    return algorithm, signature


def check_signature(envelope: dict[str, Any], cert: x509.Certificate) -> None:
    """SignatureVersion 1 = SHA1withRSA, 2 = SHA256withRSA over string_to_sign
    (docs/ipn.md, Certificates)."""
    algorithm, signature = signature_of(envelope)
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise Rejected("certificate key is not RSA", 403, forged=True)
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
    """Refuse replays (a Timestamp older than IPN_MAX_AGE_SECONDS) and timestamps from the
    future (beyond FUTURE_TOLERANCE). The timestamp is signed: a replay cannot refresh it."""
    moment = parse_timestamp(envelope["Timestamp"])
    now = now or timezone.now()
    if now - moment > timedelta(seconds=get_settings().ipn_max_age_seconds):
        raise Rejected(f"message too old: {quoted(envelope['Timestamp'])}")
    if moment - now > FUTURE_TOLERANCE:
        raise Rejected(f"message from the future: {quoted(envelope['Timestamp'])}")


def check_topic(envelope: dict[str, Any], header_topic: str | None) -> None:
    """The TopicArn is one we trust (trust.is_trusted_topic) and the header agrees."""
    topic = envelope["TopicArn"]
    if header_topic is not None and header_topic != topic:
        # the Python SDK's check (spec 6.6): header and envelope must agree
        raise Rejected("x-amz-sns-topic-arn header differs from TopicArn", 400)
    if not is_trusted_topic(topic):
        raise Rejected(f"topic not trusted: {quoted(topic)}", 403)


def check_subscribe_url(url: str, topic: str) -> None:
    """A ConfirmSubscription call for exactly `topic` on SNS (or the trusted simulator): a
    confirmation can only ever subscribe us to the topic we already decided to trust."""
    check_sns_url(url, path=None)
    if is_simulator_url(url):
        return
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if parts.path not in ("", "/") or query.get("Action") != ["ConfirmSubscription"]:
        raise Rejected(
            f"SubscribeURL is not a ConfirmSubscription call: {quoted(url)}", 403, forged=True
        )
    if query.get("TopicArn") != [topic]:
        raise Rejected(f"SubscribeURL names another topic: {quoted(url)}", 403, forged=True)


def verify(envelope: Any, header_topic: str | None = None) -> dict[str, Any]:
    """Every check of docs/ipn.md (What the endpoint does), those that need no network first:
    the fields, the topic, the age, the signature's form, the URLs; only then is the
    certificate fetched (the one step a sender can make us pay for). Returns the envelope."""
    if not isinstance(envelope, dict):
        raise Rejected("body is not a JSON object")
    missing = [k for k in REQUIRED if not isinstance(envelope.get(k), str)]
    if envelope.get("Type") == "SubscriptionConfirmation":
        missing += [k for k in ("SubscribeURL", "Token") if not isinstance(envelope.get(k), str)]
    if missing:
        raise Rejected(f"missing or non-text fields: {', '.join(missing)}")
    if envelope["Type"] not in TYPES:
        raise Rejected(f"unknown SNS Type {quoted(envelope['Type'])}")
    check_topic(envelope, header_topic)
    check_age(envelope)
    signature_of(envelope)
    if envelope["Type"] == "SubscriptionConfirmation":
        check_subscribe_url(envelope["SubscribeURL"], envelope["TopicArn"])
    check_sns_url(envelope["SigningCertURL"])
    cert = signing_certificate(envelope["SigningCertURL"])  # the first network step
    check_signature(envelope, cert)
    return envelope
