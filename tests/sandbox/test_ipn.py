"""IPN: the SNS envelope, its SHA1withRSA signature, the certificate route and delivery (spec 6)."""

from __future__ import annotations

import base64
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import NameOID

from .test_protocol import call, parse

IPN_NS = "{https://mws.amazonservices.com/ipn/OffAmazonPayments/2013-01-01}"


def verify(envelope: dict, pem: bytes) -> None:
    """Spec 6.6, written out here: Message, MessageId, Timestamp, TopicArn, Type; SHA1."""
    text = "".join(f"{k}\n{envelope[k]}\n" for k in ("Message", "MessageId", "Timestamp",
                                                    "TopicArn", "Type"))  # fmt: skip
    cert = x509.load_pem_x509_certificate(pem)
    cert.public_key().verify(base64.b64decode(envelope["Signature"]), text.encode("utf-8"),
                             padding.PKCS1v15(), hashes.SHA1())  # noqa: S303  # fmt: skip


@pytest.fixture
def received():
    return []


@pytest.fixture
def amazon_pay_simulator_options(received):
    def sender(url, body, headers):
        received.append((url, body, headers))
        return 200

    return {"ipn_sender": sender, "ipn_inline": True}


def async_authorization(session, sim) -> str:
    oro = sim.create_order_reference()
    for action, extra in (
        ("SetOrderReferenceDetails", {"OrderReferenceAttributes.OrderTotal.Amount": "1000",
                                      "OrderReferenceAttributes.OrderTotal.CurrencyCode": "JPY"}),
        ("ConfirmOrderReference", {}),
        ("Authorize", {"AuthorizationReferenceId": "a1", "AuthorizationAmount.Amount": "1000",
                       "AuthorizationAmount.CurrencyCode": "JPY", "TransactionTimeout": "1440"}),
    ):  # fmt: skip
        r = call(session, sim, action, AmazonOrderReferenceId=oro, **extra)
        assert r.status_code == 200, r.text
    return oro


def test_async_authorization_sends_a_signed_notification(sim, session, received):
    oro = async_authorization(session, sim)
    before = len(sim.ipn.delivered)
    sim.advance(60)  # the asynchronous authorization settles (engine timer)
    sim.ipn.flush()
    new = [d for d in sim.ipn.delivered[before:] if d.notification_type == "PaymentAuthorize"]
    assert new, [d.notification_type for d in sim.ipn.delivered]
    delivery = new[0]
    assert delivery.object_id.startswith(oro + "-A")
    assert delivery.status == 200
    _, body, headers = next(r for r in received if r[1] == delivery.body)
    envelope = json.loads(body)
    # envelope (spec 6.2)
    assert set(envelope) == {"Type", "MessageId", "TopicArn", "Message", "Timestamp",
                             "SignatureVersion", "Signature", "SigningCertURL",
                             "UnsubscribeURL"}  # fmt: skip
    assert envelope["Type"] == "Notification"
    assert envelope["SignatureVersion"] == "1"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", envelope["Timestamp"])
    assert envelope["TopicArn"] == (
        f"arn:aws:sns:us-west-2:291180941288:{sim.region.marketplace_id}{sim.seller_id}"
    )
    assert envelope["SigningCertURL"] == sim.base_url + "/sandbox/sns/cert.pem"
    # headers (spec 6.1)
    assert headers["x-amz-sns-message-type"] == "Notification"
    assert headers["x-amz-sns-message-id"] == envelope["MessageId"]
    assert headers["x-amz-sns-topic-arn"] == envelope["TopicArn"]
    assert headers["Content-Type"] == "text/plain; charset=UTF-8"
    # message (spec 6.3)
    message = json.loads(envelope["Message"])
    assert list(message) == ["NotificationReferenceId", "MarketplaceID", "NotificationType",
                             "SellerId", "ReleaseEnvironment", "Version", "NotificationData",
                             "Timestamp"]  # fmt: skip
    assert message["NotificationType"] == "PaymentAuthorize"
    assert message["SellerId"] == sim.seller_id
    assert message["ReleaseEnvironment"] == "Sandbox"
    data = parse(message["NotificationData"].encode("utf-8"))
    assert data.tag == IPN_NS + "AuthorizationNotification"
    # signature, with the certificate served by the simulator itself
    pem = session.get(
        envelope["SigningCertURL"].replace(sim.base_url, f"https://{sim.region.host}")
    ).content
    verify(envelope, pem)
    cert = x509.load_pem_x509_certificate(pem)
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cn == "sns.amazonaws.com"


def test_forged_and_tampered_notifications(sim):
    envelope = sim.ipn.build_notification("OrderReferenceNotification", "<x/>")
    verify(envelope, sim.ipn.certificate_pem)
    tampered = {**envelope, "Message": envelope["Message"].replace("<x/>", "<y/>")}
    with pytest.raises(InvalidSignature):
        verify(tampered, sim.ipn.certificate_pem)
    unsigned = sim.ipn.build_notification("PaymentCapture", "<x/>", sign=False)
    assert unsigned["Signature"] == ""
    sim.ipn.sign(unsigned)
    verify(unsigned, sim.ipn.certificate_pem)


def test_official_sdk_handler_accepts_the_signature(sim):
    from amazon_pay.ipn_handler import IpnHandler
    from OpenSSL import crypto

    # pyproject pins pyOpenSSL<24.3 for this: the SDK's bare except would turn a missing
    # crypto.verify into "invalid signature"
    assert hasattr(crypto, "verify"), "install the test extras: pyOpenSSL<24.3"

    envelope = sim.ipn.build_notification("OrderReferenceNotification", "<x/>")
    headers = sim.ipn.headers_for(envelope)
    handler = IpnHandler(json.dumps(envelope).encode("utf-8"),
                         {"X-Amz-Sns-Topic-Arn": headers["x-amz-sns-topic-arn"]})  # fmt: skip
    handler._pem = sim.ipn.certificate_pem.decode()  # the SDK's own tests inject the PEM too
    assert handler._validate_signature()


def test_key_is_generated_once_per_process(sim, amazon_pay_simulator_credentials):
    from django_amazonpay.sandbox.simulator import Simulator

    other = Simulator(**amazon_pay_simulator_credentials)
    assert other.ipn.key is sim.ipn.key


@pytest.mark.server
def test_delivery_to_a_real_ipn_url(amazon_pay_simulator_credentials):
    from django_amazonpay.sandbox.simulator import Simulator

    got: list[tuple[dict, bytes]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((dict(self.headers), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/ipn"
        sim = Simulator(**amazon_pay_simulator_credentials, ipn_url=url)
        envelope_count = len(sim.ipn.delivered)

        class N:  # an engine Notification, as the engine would publish it
            notification_type = "PaymentRefund"
            data_xml = "<RefundNotification/>"
            environment = "Sandbox"
            object_id = "S03-0000000-0000000-R000000"

        sim.ipn.publish(N())
        sim.ipn.flush()
        assert len(sim.ipn.delivered) == envelope_count + 1
        assert sim.ipn.delivered[-1].status == 200
        headers, body = got[0]
        assert headers["x-amz-sns-message-type"] == "Notification"
        assert headers["Content-Type"] == "text/plain; charset=UTF-8"
        verify(json.loads(body), sim.ipn.certificate_pem)
    finally:
        httpd.shutdown()
        httpd.server_close()
