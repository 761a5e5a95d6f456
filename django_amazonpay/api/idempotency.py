"""The `Idempotency-Key` header of mutating endpoints: a retry gets the first answer.

The key is stored (per caller) before the work starts, so a concurrent duplicate is refused
with 409 instead of running twice; the answer is stored when the work is done and replayed,
with `Idempotent-Replayed: true`, to every later request with the same key and body (a JSON
body by its meaning: the same fields in another order or spacing are the same body). Answers
with a 5xx status, and 409 database_busy, are not kept: the work may not have happened, so a
retry runs again (the services below are idempotent themselves). Keys are forgotten after
KEY_TTL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.json import strict_constant

from ..models import IdempotencyKey
from ..services.savepoints import guarded_statement
from .errors import (
    DatabaseBusy,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
)
from .parsing import too_deep
from .permissions import caller

HEADER = "Idempotency-Key"
KEY_TTL = timedelta(hours=24)


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


def _replay(row: IdempotencyKey) -> Response:
    return Response(
        row.response_body, status=row.response_status, headers={"Idempotent-Replayed": "true"}
    )


def _try_again(response: Response) -> bool:
    """An answer that asks for a retry, which a replay would refuse forever."""
    data = response.data if isinstance(response.data, dict) else {}
    return data.get("error") == DatabaseBusy.default_code


def idempotent(request: Request, handle: Callable[[], Response]) -> Response:
    """Run `handle` once per Idempotency-Key; without the header, just run it."""
    key = _key(request)
    if key is None:
        return handle()
    owner, fingerprint = caller(request), _fingerprint(request)
    IdempotencyKey.objects.filter(created_at__lt=timezone.now() - KEY_TTL).delete()
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
    row.response_body = json.loads(JSONRenderer().render(response.data) or b"null")
    row.save(update_fields=["response_status", "response_body"])
    return response
