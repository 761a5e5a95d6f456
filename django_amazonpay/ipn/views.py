"""The IPN endpoint (spec 6.1, STYLE 8): POST only, no CSRF, no login, stored before checked.

It answers as soon as the delivery is stored and verified; applying it is a Celery task
enqueued after the commit (`processing.enqueue`), so SNS gets its 200 fast.
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import processing

try:  # Django 5.1+: exempt from LoginRequiredMiddleware
    from django.contrib.auth.decorators import login_not_required
except ImportError:  # pragma: no cover - older Django

    def login_not_required(view):  # type: ignore[no-untyped-def]
        return view


class IpnSignatureError(SuspiciousOperation):
    """A delivery whose certificate or signature does not check out (logged on django.security)."""


@csrf_exempt
@login_not_required
@require_POST
@transaction.non_atomic_requests
def ipn_view(request: HttpRequest) -> HttpResponse:
    # non-atomic: the raw delivery must stay stored even when it is refused (STYLE 8)
    status, message, forged = processing.receive(
        request.body, dict(request.headers), request.META.get("REMOTE_ADDR", "")
    )
    if forged:  # Django answers 400 and logs it on django.security
        raise IpnSignatureError(f"IPN #{message.pk}: {message.reason}")
    return HttpResponse(status=status, content_type="text/plain")
