"""Instant Payment Notifications: the SNS envelope, its signature and delivery (spec 6).

The engine reports each state change as a `Notification`; this module wraps it the way Amazon
SNS does and POSTs it to the shop's IPN URL from a background thread, so the engine's lock is
never held during delivery. The certificate is self-signed with CN sns.amazonaws.com: the
official SDK handlers insist on an sns.*.amazonaws.com HTTPS URL, so tests inject the PEM
(spec 6.6, "Implications for a local simulator").
"""

from __future__ import annotations

import base64
import json
import queue
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from ..regions import Region
from .clock import Clock

#: (url, body, headers) -> HTTP status; raise to report a failed delivery.
Sender = Callable[[str, bytes, dict[str, str]], int]
#: Fields of the string to sign for Type=Notification, in this order; no Subject (spec 6.6).
SIGNED_FIELDS = ("Message", "MessageId", "Timestamp", "TopicArn", "Type")
CERT_PATH = "/sandbox/sns/cert.pem"
#: Amazon Pay's AWS account as seen in its TopicArns: the only account the app trusts by
#: default (docs/ipn.md, Trust), so the simulator's topics use it too.
SNS_ACCOUNT = "291180941288"
#: AWS region in the TopicArn per Amazon Pay region: us/eu from samples, jp **unconfirmed**.
SNS_REGIONS = {"us": "us-east-1", "uk": "eu-west-1", "de": "eu-west-1", "jp": "us-west-2"}


@lru_cache(maxsize=1)
def _private_key() -> rsa.RSAPrivateKey:
    """One RSA key per process: generating it takes a noticeable fraction of a second."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(key: rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.now(timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )


def string_to_sign(envelope: dict[str, Any]) -> str:
    """key\\nvalue\\n for each signed field present (spec 6.6)."""
    return "".join(f"{k}\n{envelope[k]}\n" for k in SIGNED_FIELDS if k in envelope)


def sns_timestamp(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def requests_sender(url: str, body: bytes, headers: dict[str, str]) -> int:
    import requests

    return requests.post(url, data=body, headers=headers, timeout=10).status_code


@dataclass
class Delivery:
    """One notification as sent: the envelope, where it went, and what came back."""

    notification_type: str
    object_id: str
    envelope: dict[str, Any]
    body: bytes
    headers: dict[str, str]
    url: str | None
    status: int | None = None
    error: str | None = None

    @property
    def message(self) -> dict[str, Any]:
        return json.loads(self.envelope["Message"])


class IpnPublisher:
    """Builds, signs and delivers notifications. `delivered` lists every one, delivered or not."""

    def __init__(
        self,
        *,
        seller_id: str,
        region: Region,
        clock: Clock,
        base_url: Callable[[], str],
        url: str | None = None,
        sender: Sender | None = None,
        inline: bool = False,
    ) -> None:
        self.seller_id = seller_id
        self.region = region
        self.clock = clock
        self._base_url = base_url
        self.url = url
        self.sender = sender
        self.key = _private_key()
        self.certificate = _certificate(self.key)
        self.certificate_pem = self.certificate.public_bytes(serialization.Encoding.PEM)
        self.delivered: list[Delivery] = []
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        #: deliver in the requesting thread right after the engine lock is released instead of
        #: on the worker thread (for a Django test client: same thread, same DB transaction).
        self.inline = inline
        self._held: list[Delivery] = []

    # -- building -------------------------------------------------------------------------
    @property
    def topic_arn(self) -> str:
        # Observed pattern: marketplace token followed by the SellerId (spec 6.2).
        aws_region = SNS_REGIONS.get(self.region.code, "us-east-1")
        return (
            f"arn:aws:sns:{aws_region}:{SNS_ACCOUNT}:{self.region.marketplace_id}{self.seller_id}"
        )

    @property
    def cert_url(self) -> str:
        return self._base_url().rstrip("/") + CERT_PATH

    def build_notification(
        self,
        notification_type: str,
        data_xml: str,
        *,
        environment: str = "Sandbox",
        timestamp: datetime | None = None,
        message_id: str | None = None,
        sign: bool = True,
    ) -> dict[str, Any]:
        """The SNS envelope (spec 6.2) around the Message JSON (spec 6.3), signed unless not."""
        moment = timestamp or self.clock.now()
        message = {
            "NotificationReferenceId": str(uuid.uuid4()),
            "MarketplaceID": self.region.marketplace_id,
            "NotificationType": notification_type,
            "SellerId": self.seller_id,
            "ReleaseEnvironment": environment,
            "Version": "2013-01-01",
            "NotificationData": data_xml,
            "Timestamp": sns_timestamp(moment),
        }
        envelope: dict[str, Any] = {
            "Type": "Notification",
            "MessageId": message_id or str(uuid.uuid4()),
            "TopicArn": self.topic_arn,
            "Message": json.dumps(message, ensure_ascii=False),
            "Timestamp": sns_timestamp(moment),
            "SignatureVersion": "1",
            "Signature": "",
            "SigningCertURL": self.cert_url,
            "UnsubscribeURL": (
                f"{self._base_url().rstrip('/')}/sandbox/sns/unsubscribe"
                f"?SubscriptionArn={self.topic_arn}:{uuid.uuid4()}"
            ),
        }
        if sign:
            self.sign(envelope)
        return envelope

    def sign(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """(Re)sign an envelope in place: SignatureVersion 1 = SHA1withRSA (spec 6.6)."""
        raw = self.key.sign(
            string_to_sign(envelope).encode("utf-8"),
            padding.PKCS1v15(),
            hashes.SHA1(),  # noqa: S303
        )
        envelope["Signature"] = base64.b64encode(raw).decode("ascii")
        return envelope

    def headers_for(self, envelope: dict[str, Any]) -> dict[str, str]:
        """The headers SNS sends with an HTTP notification (spec 6.1)."""
        subscription = uuid.uuid5(uuid.NAMESPACE_URL, self.seller_id)
        return {
            "x-amz-sns-message-type": envelope["Type"],
            "x-amz-sns-message-id": envelope["MessageId"],
            "x-amz-sns-topic-arn": envelope["TopicArn"],
            "x-amz-sns-subscription-arn": f"{envelope['TopicArn']}:{subscription}",
            "Content-Type": "text/plain; charset=UTF-8",
            "User-Agent": "Amazon Simple Notification Service Agent",
        }

    # -- delivering -----------------------------------------------------------------------
    def publish(self, notification: Any) -> Delivery:
        """Called with the engine's Notification (possibly under the engine lock): never blocks."""
        envelope = self.build_notification(
            notification.notification_type,
            notification.data_xml,
            environment=notification.environment,
        )
        body = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
        delivery = Delivery(
            notification.notification_type,
            notification.object_id,
            envelope,
            body,
            self.headers_for(envelope),
            self.url,
        )
        with self._lock:
            self.delivered.append(delivery)
        if self.url or self.sender:
            if self.inline:
                with self._lock:
                    self._held.append(delivery)
            else:
                self._ensure_worker()
                self._queue.put(delivery)
        return delivery

    def deliver_held(self) -> None:
        """Inline mode: send what the last request produced (called outside the engine lock)."""
        while True:
            with self._lock:
                if not self._held:
                    return
                delivery = self._held.pop(0)
            self._deliver(delivery)

    def _ensure_worker(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._work, name="amazonpay-sim-ipn", daemon=True
                )
                self._thread.start()

    def _work(self) -> None:
        while True:
            delivery = self._queue.get()
            try:
                if delivery is None:
                    return
                self._deliver(delivery)
            finally:
                self._queue.task_done()

    def _deliver(self, delivery: Delivery) -> None:
        sender = self.sender or requests_sender
        try:
            delivery.status = sender(delivery.url or "", delivery.body, dict(delivery.headers))
        except Exception as exc:  # a broken receiver must not kill the worker
            delivery.error = f"{type(exc).__name__}: {exc}"

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every queued notification has been handed to the sender."""
        self.deliver_held()
        done = threading.Event()

        def wait() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=wait, daemon=True).start()
        if not done.wait(timeout):
            raise TimeoutError("IPN deliveries still pending")

    def clear(self) -> None:
        with self._lock:
            self.delivered.clear()
