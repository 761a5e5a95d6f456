"""Receiving a delivery (store raw, verify, dedupe, enqueue) and applying it later.

`receive` runs in the request: it only stores and checks, so the endpoint answers at once
(spec 6.1: reply 200 quickly). `process` runs in a Celery task after the answer: it applies
the notification through services.sync.apply_details with source "ipn", like every other
source of details, so a transition learned by IPN and by a poll is recorded once.
"""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from ..conf import get_settings
from ..models import Authorization, Capture, IpnMessage, OrderReference, Refund
from ..models.ipn import IpnProcessing, IpnVerdict
from ..mws.errors import TRANSIENT_ERRORS, ServerError
from ..mws.types import AuthorizationDetails, CaptureDetails, OrderReferenceDetails, RefundDetails
from ..services.claims import claim
from ..services.locking import locked_order_reference
from ..services.sync import apply_details
from ..signals import chargeback_received, send_after_commit
from . import sns
from .parsing import BillingAgreementDetails, ChargebackDetails, Notification, parse_message

logger = logging.getLogger("django_amazonpay.ipn")

#: failures worth another try later (the task retries them with backoff)
TRANSIENT = (*TRANSIENT_ERRORS, DatabaseError, sns.CertificateUnavailable)
HEADERS = ("x-amz-sns-message-type", "x-amz-sns-message-id", "x-amz-sns-topic-arn",
           "x-amz-sns-subscription-arn", "content-type", "user-agent")  # fmt: skip
ORO_ID_LENGTH = 19  # S03-1571525-4435073: transaction ids start with their ORO's id


def receive(
    body: bytes, headers: dict[str, str], remote_addr: str = ""
) -> tuple[int, IpnMessage, bool]:
    """Store the delivery, check it; returns (HTTP status, the stored row, forged?).

    "Forged" means the certificate or signature did not check out (the view raises
    SuspiciousOperation for it, STYLE 8).
    """
    # NUL cannot be stored in a PostgreSQL text or jsonb column, and SNS never sends one (it
    # is not valid in JSON text either): replaced so that hostile bytes are stored, not a 500
    lowered = {k.lower(): _storable(v) for k, v in headers.items()}
    message = IpnMessage.objects.create(
        body=_storable(body.decode("utf-8", "replace")),
        headers={k: lowered[k] for k in HEADERS if k in lowered},
        remote_addr=remote_addr[:64],
        message_type=lowered.get("x-amz-sns-message-type", "")[:32],
        message_id=lowered.get("x-amz-sns-message-id", "")[:128],
    )
    try:
        _check(message, lowered)
    except sns.Rejected as exc:
        level = logging.WARNING if exc.forged else logging.INFO
        logger.log(level, "IPN #%s rejected (%s): %s", message.pk, exc.status, exc.reason)
        status = 400 if exc.forged else exc.status
        return _finish(message, IpnVerdict.REJECTED, status, exc.reason), message, exc.forged
    except sns.CertificateUnavailable as exc:
        # not the sender's fault: 503 makes SNS deliver again (spec 6.1, 3.6)
        logger.warning("IPN #%s: %s", message.pk, exc)
        return _finish(message, IpnVerdict.REJECTED, 503, str(exc)), message, False
    message.verdict, message.http_status = IpnVerdict.VALID, 200
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:  # the partial unique constraint: this MessageId was accepted before
        first = IpnMessage.objects.filter(message_id=message.message_id, verdict=IpnVerdict.VALID)
        reason = f"MessageId already accepted as #{first.values_list('pk', flat=True).first()}"
        logger.info("IPN #%s duplicate: %s", message.pk, reason)
        return _finish(message, IpnVerdict.DUPLICATE, 200, reason), message, False
    transaction.on_commit(lambda: enqueue(message.pk))
    return 200, message, False


def _storable(text: str) -> str:
    return text.replace("\x00", "\ufffd")


def _finish(message: IpnMessage, verdict: str, status: int, reason: str) -> int:
    message.verdict, message.http_status, message.reason = verdict, status, _storable(reason)
    message.processing = IpnProcessing.IGNORED
    message.save()
    return status


def _check(message: IpnMessage, headers: dict[str, str]) -> None:
    try:
        envelope = json.loads(message.body)
    except ValueError:
        raise sns.Rejected("body is not JSON") from None
    if isinstance(envelope, dict):
        message.message_type = _storable(str(envelope.get("Type", "")))[:32]
        message.message_id = _storable(str(envelope.get("MessageId", "")))[:128]
        message.topic_arn = _storable(str(envelope.get("TopicArn", "")))[:256]
    sns.verify(envelope, headers.get("x-amz-sns-topic-arn"))
    if envelope["Type"] != "Notification":
        return
    notification = parse_message(envelope["Message"])
    message.notification_type = _storable(notification.notification_type)[:64]
    message.object_id = _storable(notification.object_id)[:64]
    settings = get_settings()
    # spec 6.3: a notification for another seller or environment is not ours to apply
    if notification.seller_id != settings.seller_id:
        raise sns.Rejected(f"SellerId {notification.seller_id} is not ours", 403)
    if notification.release_environment != settings.release_environment:
        raise sns.Rejected(
            f"ReleaseEnvironment {notification.release_environment} is not ours "
            f"({settings.release_environment})",
            403,
        )


def enqueue(pk: int) -> None:
    """Hand the message to the Celery task; a broker failure leaves it for the inbox sweep."""
    from ..tasks import process_ipn_message

    try:
        process_ipn_message.delay(pk)
    except Exception:  # broker down: `retry_ipn_inbox` picks pending messages up later
        logger.exception("could not enqueue IPN #%s; the inbox sweep will retry it", pk)


# -- processing ---------------------------------------------------------------------------------


def process(pk: int, *, force: bool = False) -> str:
    """Apply stored message `pk`; returns what was done. Transient failures are re-raised.

    Processed messages are skipped unless `force` (admin/command reprocessing); a claim keeps
    two workers from applying the same message at once.
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
            state, result = _apply(message)
        except Exception as exc:
            message.processing, message.result = (
                IpnProcessing.FAILED,
                f"{type(exc).__name__}: {exc}",
            )
            message.traceback, message.processed_at = traceback.format_exc(), timezone.now()
            message.save()
            logger.warning("IPN #%s failed: %s", pk, message.result)
            if isinstance(exc, TRANSIENT):
                raise
            return message.result
        message.processing, message.result, message.traceback = state, result, ""
        message.processed_at = timezone.now()
        message.save()
        return result


def _apply(message: IpnMessage) -> tuple[str, str]:
    envelope = json.loads(message.body)
    if envelope["Type"] == "SubscriptionConfirmation":
        return IpnProcessing.PROCESSED, confirm_subscription(envelope)
    if envelope["Type"] == "UnsubscribeConfirmation":
        logger.warning("SNS unsubscribed %s from %s", message.pk, envelope.get("TopicArn"))
        return IpnProcessing.IGNORED, "unsubscribe confirmation logged"
    notification = parse_message(envelope["Message"])
    return apply_notification(notification, message.message_id)


def confirm_subscription(envelope: dict[str, Any]) -> str:
    """GET the SubscribeURL (allowed SNS host only, with a timeout) to confirm (spec 6.1)."""
    url = envelope["SubscribeURL"]
    sns.check_url(url, path=None)
    response = sns._session().get(url, timeout=sns.FETCH_TIMEOUT, allow_redirects=False)
    if response.status_code != 200:
        raise ServerError(f"SubscribeURL answered {response.status_code}", status=503)
    logger.info("confirmed SNS subscription to %s", envelope.get("TopicArn"))
    return f"subscription to {envelope.get('TopicArn')} confirmed"


def _oro_for(object_id: str) -> OrderReference | None:
    return OrderReference.objects.filter(
        amazon_order_reference_id=object_id[:ORO_ID_LENGTH]
    ).first()


def apply_notification(notification: Notification, message_id: str = "") -> tuple[str, str]:
    """(processing state, result) after applying one parsed notification with source "ipn"."""
    d = notification.details
    if notification.is_sample:
        return IpnProcessing.IGNORED, "sample notification from Seller Central: not applied"
    if isinstance(d, OrderReferenceDetails):
        return _apply_order_reference(d, message_id)
    if isinstance(d, AuthorizationDetails | CaptureDetails | RefundDetails):
        return _apply_transaction(d, message_id)
    if isinstance(d, ChargebackDetails):
        return _apply_chargeback(d)
    if isinstance(d, BillingAgreementDetails):
        logger.info("billing agreement %s: %s", d.amazon_billing_agreement_id, d.event_type)
        return IpnProcessing.IGNORED, "billing agreements are not used by this app"
    logger.warning("unknown IPN type %s acknowledged, not applied", notification.notification_type)
    return IpnProcessing.IGNORED, f"unknown notification type {notification.notification_type}"


def _apply_order_reference(d: OrderReferenceDetails, message_id: str) -> tuple[str, str]:
    oro = OrderReference.objects.filter(amazon_order_reference_id=d.amazon_order_reference_id)
    found = oro.first()
    if found is None:
        return IpnProcessing.IGNORED, f"unknown order reference {d.amazon_order_reference_id}"
    with locked_order_reference(found.pk) as locked:
        transition = apply_details(locked, d, source="ipn", request_id=message_id)
    locked.refresh_from_db()
    if locked.payment_method_update_required and locked.state == "Open":
        # spec 3.10: the buyer fixed the payment method on Amazon's site
        from ..services import handle_order_reference_reopened

        handle_order_reference_reopened(locked)
    return IpnProcessing.PROCESSED, _describe(d.amazon_order_reference_id, transition)


MODEL_OF = {AuthorizationDetails: Authorization, CaptureDetails: Capture, RefundDetails: Refund}


def _known(d: AuthorizationDetails | CaptureDetails | RefundDetails) -> Any:
    if isinstance(d, AuthorizationDetails):
        return (
            Authorization.objects.filter(amazon_authorization_id=d.amazon_authorization_id).first()
            or Authorization.objects.filter(
                authorization_reference_id=d.authorization_reference_id
            ).first()
        )
    if isinstance(d, CaptureDetails):
        return Capture.objects.filter(amazon_capture_id=d.amazon_capture_id).first() or (
            Capture.objects.filter(capture_reference_id=d.capture_reference_id).first()
        )
    return Refund.objects.filter(amazon_refund_id=d.amazon_refund_id).first() or (
        Refund.objects.filter(refund_reference_id=d.refund_reference_id).first()
    )


def _apply_transaction(
    d: AuthorizationDetails | CaptureDetails | RefundDetails, message_id: str
) -> tuple[str, str]:
    object_id = (
        getattr(d, "amazon_authorization_id", None)
        or getattr(d, "amazon_capture_id", None)
        or d.amazon_refund_id  # type: ignore[union-attr]
    )
    obj = _known(d)
    if obj is None:
        oro = _oro_for(object_id)
        if oro is None:
            return IpnProcessing.IGNORED, f"unknown object {object_id}"
        if isinstance(d, AuthorizationDetails):
            from ..services.refreshing import adopt_authorization

            auth = adopt_authorization(oro, d, source="ipn")
            return IpnProcessing.PROCESSED, f"{object_id} imported ({auth.state})"
        # a capture or refund made elsewhere: its parent is found by walking the IdLists
        from ..services.reconciling import reconcile_order

        reconcile_order(oro)
        obj = _known(d)
        if obj is None:
            return IpnProcessing.IGNORED, f"{object_id} not found under {oro}"
    with locked_order_reference(obj.order_reference_id):
        row = type(obj).objects.get(pk=obj.pk)
        transition = apply_details(row, d, source="ipn", request_id=message_id)
    return IpnProcessing.PROCESSED, _describe(object_id, transition)


def _apply_chargeback(d: ChargebackDetails) -> tuple[str, str]:
    """Logged for staff; the money moves as a Chargeback refund under the capture (spec 6.5)."""
    logger.warning(
        "chargeback %s on %s (%s %s): %s %s",
        d.amazon_chargeback_id, d.amazon_order_reference_id, d.amount, d.currency,
        d.state, d.reason,
    )  # fmt: skip
    ref = d.amazon_capture_reference_id or ""
    cap = (
        Capture.objects.filter(amazon_capture_id=ref).first()
        or Capture.objects.filter(capture_reference_id=ref).first()
    )
    if cap is not None and cap.amazon_capture_id:
        from ..services.refreshing import refresh

        cap = refresh(cap, source="ipn")  # imports the Chargeback refund from the IdList
    send_after_commit(chargeback_received, Capture, instance=cap, chargeback=d)
    return IpnProcessing.PROCESSED, f"chargeback {d.amazon_chargeback_id} {d.state} logged"


def _describe(object_id: str, transition: Any) -> str:
    if transition is None:
        return f"{object_id}: nothing new"
    return f"{object_id}: {transition.from_state or '-'} -> {transition.to_state}"
