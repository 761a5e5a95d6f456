"""The `Idempotency-Key` header of mutating endpoints: a retry gets the first answer.

The key is stored (per caller) before the work starts, so a concurrent duplicate is refused
with 409 instead of running twice; the answer is stored when the work is done and replayed,
with `Idempotent-Replayed: true`, to every later request with the same key and body (a JSON
body by its meaning: the same fields in another order or spacing are the same body). Answers
with a 5xx status, and 409 database_busy or checkout_busy, are not kept: the work may not have
happened, so a retry runs again (the services below are idempotent themselves). Keys are
forgotten after KEY_TTL (purge_expired_keys). A stored answer holds no buyer's personal
data: a checkout answer's name, email and addresses are left out and filled in again, from
the order reference as it is then, when the answer is replayed (docs/api.md,
Idempotency-Key).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.json import strict_constant

from ..models import IdempotencyKey, OrderReference
from ..services.savepoints import guarded_statement
from .errors import (
    CheckoutBusy,
    DatabaseBusy,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
)
from .parsing import too_deep
from .permissions import caller
from .serializers import PERSONAL_FIELDS, personal_data

HEADER = "Idempotency-Key"
KEY_TTL = timedelta(hours=24)
#: in a stored answer: the personal fields left out, filled in again on replay
REFILL = "_refill_from_order_reference"


def _key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not (1 <= len(key) <= 255) or not all(32 < ord(c) < 127 for c in key):
        raise InvalidIdempotencyKey()
    return key


def _body(raw: bytes) -> tuple[str, bytes]:
    """What a body means: JSON parsed and written canonically (keys sorted, no whitespace),
    so a retry that orders or spaces the same fields otherwise is the same request; any other
    body is its bytes."""
    if raw and not too_deep(raw):
        try:
            value = json.loads(raw.decode("utf-8"), parse_constant=strict_constant)
        except (ValueError, RecursionError):
            pass
        else:
            return "json", json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    return "bytes", raw


def _fingerprint(request: Request) -> str:
    """SHA-256 of method, path, media type and the body's meaning."""
    django_request = request._request
    media_type = django_request.content_type or ""
    kind, body = _body(django_request.body)
    digest = hashlib.sha256()
    for part in (request.method, request.path, media_type.lower(), kind, body):
        digest.update(part if isinstance(part, bytes) else str(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _storable(body: Any) -> Any:
    """`body` without the buyer's personal data: a checkout answer's PERSONAL_FIELDS are kept
    as null and named under REFILL, to be filled in again when the answer is replayed."""
    if not isinstance(body, dict) or "amazon_order_reference_id" not in body:
        return body
    removed = [name for name in PERSONAL_FIELDS if name in body]
    if not removed:
        return body
    return {**{k: None if k in removed else v for k, v in body.items()}, REFILL: removed}


def _replayable(body: Any) -> Any:
    """A stored body with its personal data as the order reference now holds it."""
    if not isinstance(body, dict) or REFILL not in body:
        return body
    body = dict(body)
    removed = body.pop(REFILL)
    oro = OrderReference.objects.filter(
        amazon_order_reference_id=body["amazon_order_reference_id"]
    ).first()
    personal = personal_data(oro)
    return {**body, **{name: personal[name] for name in removed if name in personal}}


def _replay(row: IdempotencyKey) -> Response:
    return Response(
        _replayable(row.response_body),
        status=row.response_status,
        headers={"Idempotent-Replayed": "true"},
    )


def purge_expired_keys(now: datetime | None = None) -> int:
    """Delete the keys older than KEY_TTL; returns how many (run on every keyed request and
    by manage.py purge_amazon_pay_personal_data)."""
    cutoff = (now or timezone.now()) - KEY_TTL
    return IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()[0]


def _try_again(response: Response) -> bool:
    """An answer that asks for a retry, which a replay would refuse forever."""
    data = response.data if isinstance(response.data, dict) else {}
    return data.get("error") in (DatabaseBusy.default_code, CheckoutBusy.default_code)


def idempotent(request: Request, handle: Callable[[], Response]) -> Response:
    """Run `handle` once per Idempotency-Key; without the header, just run it."""
    key = _key(request)
    if key is None:
        return handle()
    owner, fingerprint = caller(request), _fingerprint(request)
    purge_expired_keys()
    try:
        with guarded_statement():  # a duplicate key must not poison an ATOMIC_REQUESTS transaction
            row = IdempotencyKey.objects.create(owner=owner, key=key, fingerprint=fingerprint)
    except IntegrityError:
        row = IdempotencyKey.objects.get(owner=owner, key=key)
        if row.fingerprint != fingerprint:
            raise IdempotencyKeyReused() from None
        if row.response_status is None:
            raise IdempotencyKeyInUse() from None
        return _replay(row)
    try:
        response = handle()
    except BaseException:
        row.delete()
        raise
    if response.status_code >= 500 or _try_again(response):
        row.delete()
        return response
    row.response_status = response.status_code
    row.response_body = _storable(json.loads(JSONRenderer().render(response.data) or b"null"))
    row.save(update_fields=["response_status", "response_body"])
    return response
