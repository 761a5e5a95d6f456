"""The permissions behind the admin's buttons, one per action (issue 4 item 8).

Checked as `django_amazonpay.<codename>`; declared in `OrderReference.Meta.permissions`
(see docs/admin.md). Superusers have them all.
"""

from __future__ import annotations

from django.http import HttpRequest

from ..models import OrderReference

APP_LABEL = "django_amazonpay"

CAPTURE = "capture_payment"
REFUND = "refund_payment"
CLOSE_ORDER = "close_orderreference"
CANCEL_ORDER = "cancel_orderreference"
CLOSE_AUTHORIZATION = "close_authorization"
REFRESH = "refresh_from_amazon"

#: (codename, name) pairs, as declared on the model
PERMISSIONS: tuple[tuple[str, object], ...] = tuple(OrderReference._meta.permissions)


def has_permission(request: HttpRequest, codename: str) -> bool:
    """True when the signed-in user holds `django_amazonpay.<codename>`."""
    return request.user.has_perm(f"{APP_LABEL}.{codename}")
