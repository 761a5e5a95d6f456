"""The IPN endpoint: POST only, no CSRF, no login (docs/ipn.md).

Before the body is read: the method, the client's count of refused deliveries (429) and the
body's size (413). Then the delivery is stored as a summary, checked, and answered at once;
following it is a Celery task enqueued after the commit (`processing.enqueue`), so SNS gets
its 200 fast. Every refusal answers {"error", "error_description"} (docs/ipn.md).
"""

from __future__ import annotations

from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import csrf_exempt

from ..addresses import client_address
from ..conf import get_settings
from ..logs import get_logger
from ..models.ipn import IpnVerdict
from . import limits, processing
from .receiving import record_refusal

try:  # Django 5.1+: exempt from LoginRequiredMiddleware
    from django.contrib.auth.decorators import login_not_required
except ImportError:  # pragma: no cover - older Django

    def login_not_required(view):  # type: ignore[no-untyped-def]
        return view


logger = get_logger("django_amazonpay.ipn")
#: where Django itself reports SuspiciousOperation: forged signatures belong there
security_logger = get_logger("django.security.IpnSignatureError")

CODES = {400: "invalid_notification", 403: "not_trusted", 503: "certificate_unavailable"}


def error(status: int, code: str, description: str) -> JsonResponse:
    return JsonResponse({"error": code, "error_description": description}, status=status)


@csrf_exempt
@login_not_required
@transaction.non_atomic_requests
def ipn_view(request: HttpRequest) -> HttpResponse:
    # non-atomic: the delivery's row must stay stored even when it is refused
    if request.method != "POST":
        response = error(405, "method_not_allowed", "The IPN endpoint accepts POST only.")
        response["Allow"] = "POST"
        return response
    address = client_address(request)  # REMOTE_ADDR unless TRUSTED_PROXIES says otherwise
    if limits.refused_too_often(address):
        return error(
            429,
            "too_many_refused",
            "Too many refused deliveries from this address; wait before sending again.",
        )
    try:
        body = limits.read_body(request, get_settings().ipn_max_body_bytes)
    except limits.BodyTooLarge as exc:
        limits.count_refusal(address)
        record_refusal(dict(request.headers), address, 413, str(exc), _declared(request))
        return error(413, "body_too_large", f"{exc}: Amazon Pay's notifications are small.")
    except limits.BadLength as exc:
        limits.count_refusal(address)
        return error(400, "invalid_notification", str(exc))
    except limits.LengthRequired as exc:
        limits.count_refusal(address)
        return error(411, "length_required", f"{exc}: Amazon SNS always sends one.")
    except OSError:  # the client went away mid-body (UnreadablePostError)
        return error(400, "invalid_notification", "The body could not be read.")
    try:
        status, message, forged = processing.receive(body, dict(request.headers), address)
    except DatabaseError:
        logger.exception("IPN delivery not stored")
        return error(503, "unavailable", "The delivery could not be stored; send it again.")
    if status == 200:
        if message.verdict == IpnVerdict.DUPLICATE:
            limits.count_refusal(address)  # a replay flood counts like any other refusal
        return HttpResponse(status=200, content_type="text/plain")
    limits.count_refusal(address)
    if forged:
        security_logger.warning("IPN #%s refused: %s", message.pk, message.reason)
    code = "invalid_signature" if forged else CODES.get(status, "invalid_notification")
    return error(status, code, message.reason)


def _declared(request: HttpRequest) -> int:
    try:
        return limits.declared_length(request) or 0
    except limits.BadLength:
        return 0


@csrf_exempt  # a POST without a token gets the same JSON 404, not Django's HTML 403
@login_not_required
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Anything else below the IPN endpoint answers in its error shape too."""
    try:
        where = reverse("amazon_pay_ipn:ipn")
    except NoReverseMatch:  # included under another namespace
        where = "the ipn/ URL"
    return error(
        404, "not_found", f"No such URL; Amazon Pay's notifications are POSTed to {where}."
    )
