"""Who may touch a checkout: the session or the user that started it, nobody else.

Another caller gets 404, exactly as for an id that does not exist, so ids cannot be probed.
The session keeps the started order reference ids and the buyer's access token (never in the
app's own tables; with Django's database session backend the session row holds it until the
session expires: see docs/security.md); a signed-in user also owns the checkouts stored with
their id.
"""

from __future__ import annotations

import hashlib
import re
from importlib import import_module
from typing import Any

from django.conf import settings
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from ..models import OrderReference
from .errors import CheckoutNotFound, CsrfFailed

SESSION_KEY = "django_amazonpay_checkouts"
#: the shape of an Amazon order reference id; anything else is no checkout, unasked
ORDER_REFERENCE_ID = re.compile(r"[SP][0-9]{2}-[0-9]{7}-[0-9]{7}")
#: what a session key from a cookie may contain: printable ASCII, no space
_SESSION_KEY_CHARACTERS = re.compile(r"[!-~]*")


def usable_session(request: Request) -> None:
    """Replace a session whose cookie holds control or non-ASCII characters (which a
    database session store would send to its database, and PostgreSQL refuses NUL) with a
    new empty one: the caller is treated as a new visitor and gets a clean cookie."""
    django_request = request._request
    session = getattr(django_request, "session", None)
    key = getattr(session, "session_key", None)
    if key and not _SESSION_KEY_CHARACTERS.fullmatch(key):
        engine = import_module(settings.SESSION_ENGINE)
        django_request.session = engine.SessionStore()


class CsrfSessionAuthentication(SessionAuthentication):
    """Session authentication that checks CSRF on every unsafe request.

    DRF's SessionAuthentication checks CSRF for signed-in users only; our anonymous buyers
    are identified by their session too, so their POSTs need the same protection.
    """

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        user = getattr(request._request, "user", None)
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            self.enforce_csrf(request)
        if user is None or not user.is_active:
            return None
        return (user, None)

    def enforce_csrf(self, request: Request) -> None:
        from rest_framework.exceptions import PermissionDenied

        try:
            super().enforce_csrf(request)
        except PermissionDenied as err:
            raise CsrfFailed() from err


class HasSession(BasePermission):
    """Every caller works through a session (anonymous buyers included)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return hasattr(request, "session")


def remember_checkout(request: Request, oro_id: str, access_token: str | None) -> None:
    """Record in the session that this caller started `oro_id`."""
    checkouts = dict(request.session.get(SESSION_KEY, {}))
    checkouts[oro_id] = access_token or checkouts.get(oro_id) or ""
    request.session[SESSION_KEY] = checkouts


def access_token(request: Request, oro_id: str) -> str | None:
    """The buyer's Login with Amazon token for `oro_id`, when this session has it."""
    return request.session.get(SESSION_KEY, {}).get(oro_id) or None


def owns(request: Request, oro: OrderReference) -> bool:
    if oro.amazon_order_reference_id in request.session.get(SESSION_KEY, {}):
        return True
    user = request.user
    return bool(user and user.is_authenticated and oro.user_id == user.pk)


def owned_checkout(request: Request, oro_id: str) -> OrderReference:
    """The caller's order reference, or 404 (malformed, unknown and foreign ids alike)."""
    if not ORDER_REFERENCE_ID.fullmatch(oro_id):  # never sent to the database
        raise CheckoutNotFound()
    oro = OrderReference.objects.filter(amazon_order_reference_id=oro_id).first()
    if oro is None or not owns(request, oro):
        raise CheckoutNotFound()
    return oro


def caller(request: Request) -> str:
    """A stable name of the caller, for idempotency keys. A session is named by a hash of
    its key: the key is a credential, and the name is stored (IdempotencyKey.owner)."""
    user = request.user
    if user and user.is_authenticated:
        return f"user:{user.pk}"
    if not request.session.session_key:
        request.session.save()
    return f"session:{hashlib.sha256(request.session.session_key.encode()).hexdigest()}"
