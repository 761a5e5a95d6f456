"""Following a stored notification: read what it names from Amazon, apply Amazon's answer.

`process` runs in a Celery task after the endpoint answered (receiving.receive). A
notification only names an object (hints.py); Amazon's answer is applied with source "ipn"
through the services' refresh path, so a notification can tell us when to look but never
what to believe. Notifications about one object coalesce: a read that began after a
notification was received answers it, so a burst of them costs one call (docs/ipn.md, Hints).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import DatabaseError
from django.utils import timezone

from ..client import background
from ..logs import format_exception, get_logger
from ..models import Capture, IpnMessage
from ..models.ipn import IpnProcessing, IpnVerdict
from ..mws.errors import TRANSIENT_ERRORS, ServerError
from ..safetext import quoted
from ..services.claims import claim
from ..signals import chargeback_received, send_after_commit
from . import certificates, hints
from .errors import CertificateUnavailable, Rejected, safe_reason
from .parsing import BillingAgreementDetails, ChargebackDetails, Notification, parse_message
from .receiving import receive
from .sns import check_subscribe_url
from .trust import is_trusted_topic

__all__ = ["confirm_subscription", "enqueue", "process", "receive"]

logger = get_logger("django_amazonpay.ipn")

#: failures worth another try later (the task retries them with backoff)
TRANSIENT = (*TRANSIENT_ERRORS, DatabaseError, CertificateUnavailable)


def enqueue(pk: int) -> None:
    """Hand the message to the Celery task; a broker failure leaves it for the inbox sweep."""
    from ..tasks import process_ipn_message

    try:
        process_ipn_message.delay(pk)
    except Exception:  # broker down: `retry_ipn_inbox` picks pending messages up later
        logger.exception("could not enqueue IPN #%s; the inbox sweep will retry it", pk)


@background()  # its MWS calls draw on the background share (docs/api.md, Quota shares)
def process(pk: int, *, force: bool = False) -> str:
    """Follow stored message `pk`; returns what was done. Transient failures are re-raised.

    Processed messages are skipped unless `force` (admin/command reprocessing, which also
    reads again instead of counting on an earlier read); a claim keeps two workers from
    following the same message at once.
    """
    with claim(f"ipn:{pk}") as held:
        if not held:
            return "busy"
        message = IpnMessage.objects.get(pk=pk)
        if message.verdict != IpnVerdict.VALID:
            return f"not processed: verdict {message.verdict}"
        if message.processing == IpnProcessing.PROCESSED and not force:
            return "already processed"
        message.attempts += 1
        try:
            state, result = _apply(message, force=force)
        except Exception as exc:
            # Amazon's error messages and a verified payload's values may be quoted in both:
            # stored on one line each (docs/logs.md)
            message.processing, message.result = (
                IpnProcessing.FAILED,
                safe_reason(f"{type(exc).__name__}: {exc}"),
            )
            message.traceback, message.processed_at = format_exception(exc), timezone.now()
            message.save()
            logger.warning("IPN #%s failed: %s", pk, message.result)
            if isinstance(exc, TRANSIENT):
                raise
            return message.result
        message.processing, message.result, message.traceback = state, safe_reason(result), ""
        message.processed_at = timezone.now()
        message.save()
        return message.result


def _apply(message: IpnMessage, *, force: bool) -> tuple[str, str]:
    envelope = json.loads(message.body)  # a valid row holds the whole verified body
    if envelope["Type"] == "SubscriptionConfirmation":
        return IpnProcessing.PROCESSED, confirm_subscription(envelope)
    if envelope["Type"] == "UnsubscribeConfirmation":
        logger.warning("SNS unsubscribed %s from %s", message.pk, envelope.get("TopicArn"))
        return IpnProcessing.IGNORED, "unsubscribe confirmation logged"
    return follow(parse_message(envelope["Message"]), message, force=force)


def follow(
    notification: Notification, message: IpnMessage, *, force: bool = False
) -> tuple[str, str]:
    """(processing state, result) after reading from Amazon what `notification` names."""
    d = notification.details
    if notification.is_sample:
        return IpnProcessing.IGNORED, "sample notification from Seller Central: not applied"
    if isinstance(d, BillingAgreementDetails):
        logger.info("billing agreement %s: %s", d.amazon_billing_agreement_id, d.event_type)
        return IpnProcessing.IGNORED, "billing agreements are not used by this app"
    hint = hints.hint_of(notification)
    if hint is None:
        logger.warning(
            "unknown IPN type %s acknowledged, not applied", notification.notification_type
        )
        return IpnProcessing.IGNORED, f"unknown notification type {notification.notification_type}"
    read = hints.plan(hint)
    if read is None:
        result = f"{hint.amazon_id or '(no id)'} is not ours: nothing read"
        if isinstance(d, ChargebackDetails):  # the shop still hears of it (instance None)
            return IpnProcessing.PROCESSED, _chargeback(d, hint, result)
        return IpnProcessing.IGNORED, result
    state, result = _read(read, message, force=force)
    if isinstance(d, ChargebackDetails) and state == IpnProcessing.PROCESSED:
        result = _chargeback(d, hint, result)
    return state, result


def _covering_read(message: IpnMessage, target: str) -> IpnMessage | None:
    """An earlier message's completed read of `target` that began after `message` arrived."""
    return (
        IpnMessage.objects.filter(
            read_target=target,
            processing=IpnProcessing.PROCESSED,
            read_started_at__gte=message.received_at,
        )
        .exclude(pk=message.pk)
        .order_by("read_started_at")
        .first()
    )


def _read(read: hints.Read, message: IpnMessage, *, force: bool) -> tuple[str, str]:
    message.read_target = read.target[:64]
    if not force:
        earlier = _covering_read(message, message.read_target)
        if earlier is not None:
            return IpnProcessing.PROCESSED, f"{read.target}: answered by the read of #{earlier.pk}"
    with claim(f"ipn-read:{message.read_target}") as held:
        if not held:  # another worker is reading it: its read may predate this message
            return (
                IpnProcessing.PENDING,
                f"{read.target}: another read is in progress; the inbox sweep tries again",
            )
        message.read_started_at = timezone.now()
        return IpnProcessing.PROCESSED, hints.perform(read)


def _chargeback(d: ChargebackDetails, hint: hints.Hint, result: str) -> str:
    """The shop hears of it by signal; the money moves as a Chargeback refund under the capture,
    which the read just imported. The chargeback's own details are Amazon's words
    as delivered by a verified notification; no API can read them back."""
    logger.warning(
        "chargeback %s on %s (%s %s): %s %s",
        d.amazon_chargeback_id, d.amazon_order_reference_id, d.amount, d.currency,
        d.state, d.reason,
    )  # fmt: skip
    capture = hints.find(hint)
    send_after_commit(chargeback_received, Capture, instance=capture, chargeback=d)
    return f"chargeback {d.amazon_chargeback_id} {d.state}: {result}"


def confirm_subscription(envelope: dict[str, Any]) -> str:
    """GET the SubscribeURL of a trusted topic only, with a timeout, no redirects."""
    topic = envelope.get("TopicArn")
    if not is_trusted_topic(topic):  # type: ignore[arg-type]
        # refused at the door already; settings may have narrowed since it was stored
        raise Rejected(f"topic not trusted: {quoted(topic)}", 403)
    url = envelope["SubscribeURL"]
    check_subscribe_url(url, topic)  # type: ignore[arg-type]
    response = certificates._session().get(
        url, timeout=certificates.FETCH_TIMEOUT, allow_redirects=False
    )
    if response.status_code != 200:
        raise ServerError(f"SubscribeURL answered {response.status_code}", status=503)
    logger.info("confirmed SNS subscription to %s", topic)
    return f"subscription to {topic} confirmed"
