"""Receiving a delivery: a bounded summary stored first, then the checks, then the body.

`receive` runs in the request and only stores and checks, so the endpoint answers at once
(SNS wants a quick 200); processing.process follows the notification later, from a
Celery task. Only a delivery that passed every check keeps its whole body: a refused one is
kept as its size, digest and first characters (docs/ipn.md, The inbox).
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.db import DatabaseError, IntegrityError, transaction

from ..conf import get_settings
from ..logs import get_logger
from ..models import IpnMessage
from ..models.ipn import IpnProcessing, IpnVerdict
from ..safetext import quoted
from . import limits, sns
from .errors import CertificateUnavailable, Rejected, safe_reason, storable
from .parsing import parse_message

logger = get_logger("django_amazonpay.ipn")

HEADERS = ("x-amz-sns-message-type", "x-amz-sns-message-id", "x-amz-sns-topic-arn",
           "x-amz-sns-subscription-arn", "content-type", "user-agent")  # fmt: skip
#: what a refused delivery keeps of its body
EXCERPT_BYTES = 512
#: the largest size the body_size column holds on every database (a claimed length may be any)
MAX_SIZE = 2**31 - 1
#: what is kept of each stored header (they are the sender's claims, of any length)
HEADER_LIMIT = 256


_storable = storable


def _excerpt(body: bytes) -> str:
    return _storable(body[:EXCERPT_BYTES].decode("utf-8", "replace"))


def _headers(headers: dict[str, str]) -> dict[str, str]:
    lowered = {str(k).lower(): v for k, v in headers.items()}
    return {k: _storable(str(lowered[k]))[:HEADER_LIMIT] for k in HEADERS if k in lowered}


def _summary(body: bytes, headers: dict[str, str], remote_addr: str) -> IpnMessage:
    stored = _headers(headers)
    return IpnMessage(
        body=_excerpt(body),
        body_size=len(body),
        body_sha256=hashlib.sha256(body).hexdigest(),
        headers=stored,
        remote_addr=remote_addr[:64],
        message_type=stored.get("x-amz-sns-message-type", "")[:32],
        message_id=stored.get("x-amz-sns-message-id", "")[:128],
        topic_arn=stored.get("x-amz-sns-topic-arn", ""),
    )


def record_refusal(
    headers: dict[str, str], remote_addr: str, status: int, reason: str, size: int = 0
) -> IpnMessage:
    """A delivery refused before its body was read (too large): its summary, no body."""
    message = _summary(b"", headers, remote_addr)
    message.body_size, message.body_sha256 = min(max(size, 0), MAX_SIZE), ""
    message.verdict, message.http_status = IpnVerdict.REJECTED, status
    message.reason, message.processing = safe_reason(reason), IpnProcessing.IGNORED
    if limits.keep_refused_summary():
        message.save()
    logger.info("IPN #%s refused unread (%s): %s", message.pk, status, message.reason)
    return message


def receive(
    body: bytes, headers: dict[str, str], remote_addr: str = ""
) -> tuple[int, IpnMessage, bool]:
    """Store the delivery's summary, check it; returns (HTTP status, the stored row, forged?).

    "Forged" means the certificate or signature did not check out (the view logs it on
    django.security). Whatever the body holds, the row ends rejected, duplicate or valid.
    """
    message = _summary(body, headers, remote_addr)
    message.save()
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _refused(message, Rejected("body is not UTF-8 text"))
    try:
        _check(message, text, lowered)
    except Rejected as exc:
        return _refused(message, exc)
    except CertificateUnavailable as exc:
        # not the sender's fault: 503 makes SNS deliver again (docs/ipn.md)
        logger.warning("IPN #%s: %s", message.pk, exc)
        return _finish(message, IpnVerdict.REJECTED, 503, str(exc)), message, False
    except DatabaseError:
        raise
    except Exception as exc:  # hostile input met a bug: refused, never a 500 or a stuck row
        logger.exception("IPN #%s could not be checked", message.pk)
        return _refused(message, Rejected(f"the body could not be checked: {type(exc).__name__}"))
    message.body = _storable(text)
    message.verdict, message.http_status = IpnVerdict.VALID, 200
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:  # the partial unique constraint: this MessageId was accepted before
        first = IpnMessage.objects.filter(message_id=message.message_id, verdict=IpnVerdict.VALID)
        reason = f"MessageId already accepted as #{first.values_list('pk', flat=True).first()}"
        logger.info("IPN #%s duplicate: %s", message.pk, reason)
        message.body = _excerpt(body)  # the first delivery holds it whole
        return _finish(message, IpnVerdict.DUPLICATE, 200, reason), message, False
    from .processing import enqueue

    transaction.on_commit(lambda: enqueue(message.pk))
    return 200, message, False


def _refused(message: IpnMessage, exc: Rejected) -> tuple[int, IpnMessage, bool]:
    # a forgery is answered 400, whatever its reason's own status: the log says the answer
    status = 400 if exc.forged else exc.status
    level = logging.WARNING if exc.forged else logging.INFO
    logger.log(level, "IPN #%s rejected (%s): %s", message.pk, status, exc.reason)
    return _finish(message, IpnVerdict.REJECTED, status, exc.reason), message, exc.forged


def _finish(message: IpnMessage, verdict: str, status: int, reason: str) -> int:
    reason = safe_reason(reason)
    message.verdict, message.http_status, message.reason = verdict, status, reason
    message.processing = IpnProcessing.IGNORED
    if limits.keep_refused_summary():
        message.save()
    else:  # the hour's summaries are used up (limits.py): the log line is all that remains
        logger.warning("IPN #%s %s (%s), not kept: %s", message.pk, verdict, status, reason)
        message.delete()
    return status


def _load(text: str) -> object:
    try:
        return json.loads(text)
    except RecursionError:
        raise Rejected("body is JSON nested too deeply") from None
    except ValueError:
        raise Rejected("body is not JSON") from None


def _check(message: IpnMessage, text: str, headers: dict[str, str]) -> None:
    envelope = _load(text)
    if isinstance(envelope, dict):
        message.message_type = _storable(str(envelope.get("Type", "")))[:32]
        message.message_id = _storable(str(envelope.get("MessageId", "")))[:128]
        message.topic_arn = _storable(str(envelope.get("TopicArn", "")))[:256]
    sns.verify(envelope, headers.get("x-amz-sns-topic-arn"))
    assert isinstance(envelope, dict)  # verify() refused anything else
    if envelope["Type"] != "Notification":
        return
    notification = parse_message(envelope["Message"])
    message.notification_type = _storable(notification.notification_type)[:64]
    message.object_id = _storable(notification.object_id)[:64]
    settings = get_settings()
    # a notification for another seller or environment is not ours to follow
    if notification.seller_id != settings.seller_id:
        raise Rejected(f"SellerId {quoted(notification.seller_id)} is not ours", 403)
    if notification.release_environment != settings.release_environment:
        raise Rejected(
            f"ReleaseEnvironment {quoted(notification.release_environment)} is not ours "
            f"({settings.release_environment})",
            403,
        )
