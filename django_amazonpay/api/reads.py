"""Reads of Amazon that a GET makes, coalesced per Amazon object (docs/api.md, Reads of Amazon).

A GET costs its sender nothing and every session may send API_READ_RATE of them, while each
read of Amazon spends the seller's quota, which refills at one or two a second for all buyers
together. So however many sessions, processes or hosts ask, one Amazon object is read at most
once per READ_WINDOW seconds: an atomic `cache.add` in THROTTLE_CACHE picks the one request
that reads, and every other answers from what the app already knows (the mirrored rows, or
the constraints the last read found). The reads that do happen also count per client address
(API_AMAZON_READ_RATE), so owning many checkouts does not multiply one client's allowance.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from rest_framework.request import Request

from .. import services
from ..conf import get_settings
from ..models import Authorization, OrderReference
from ..mws.errors import AmazonPayError, MalformedResponse, ServerError, Throttled, TransportError
from ..services.errors import AmazonRequestError
from ..states import OrderReferenceState
from .throttling import AmazonReadThrottle

#: seconds in which one Amazon object is read at most once for all GETs together
READ_WINDOW = 5
#: how long the constraints of the last read stay available to the GETs that do not read
CONSTRAINTS_TTL = 3600
PREFIX = "amazonpay:api:"
#: the clock of the windows (tests move it with their fake clock)
clock: Callable[[], float] = time.time


def _cache() -> Any:
    return caches[get_settings().throttle_cache]


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` says Amazon gave no usable answer (the mirror is then the best answer)."""
    error = exc.error if isinstance(exc, AmazonRequestError) else exc
    return isinstance(error, Throttled | ServerError | TransportError | MalformedResponse)


def may_read(request: Request, view: Any, subject: str) -> bool:
    """Whether this request may read `subject` from Amazon now: the first in its window, and
    within its address's API_AMAZON_READ_RATE. Everyone else answers without reading."""
    cache = _cache()
    gate = f"{PREFIX}read:{subject}:{int(clock() // READ_WINDOW)}"
    if not cache.add(gate, 1, READ_WINDOW * 2):
        return False
    if not AmazonReadThrottle().allow_request(request, view):
        cache.delete(gate)  # this address is over its rate: let another caller read
        return False
    return True


def _version(oro: OrderReference) -> str:
    """Changes whenever the app saves the order reference (our own steps, IPN-led reads): what
    was read before such a change is not reused after it."""
    return f"{oro.updated_at.timestamp():.6f}" if oro.updated_at else "new"


def draft_constraints(
    request: Request, view: Any, oro: OrderReference, access_token: str | None
) -> list[dict[str, str]]:
    """The constraints that still block confirming a Draft, as Amazon said at most
    READ_WINDOW seconds ago (none once confirmed; none known: an empty list)."""
    if oro.state != OrderReferenceState.DRAFT:
        return []
    subject = f"constraints:{oro.amazon_order_reference_id}:{_version(oro)}"
    known = f"{PREFIX}{subject}"
    if not may_read(request, view, subject):
        return _cache().get(known) or []
    try:
        found = services.draft_constraints(oro, access_token=access_token)
    except (AmazonRequestError, AmazonPayError) as err:
        if unavailable(err):
            return _cache().get(known) or []
        raise
    constraints = [{"id": c.constraint_id, "description": c.description or ""} for c in found]
    _cache().set(known, constraints, CONSTRAINTS_TTL)
    return constraints


def refresh_authorization(request: Request, view: Any, authorization: Authorization) -> bool:
    """Read `authorization` again from Amazon when this request may (True: the mirror holds
    the new answer); else it stays as mirrored by settle runs, IPN-led reads and the last
    GET that read it."""
    if not may_read(request, view, f"authorization:{authorization.pk}"):
        return False
    try:
        services.refresh(authorization, source="poll")
    except (AmazonRequestError, AmazonPayError) as err:
        if unavailable(err):  # only Amazon's silence is answered from the mirror
            return False
        raise
    return True
