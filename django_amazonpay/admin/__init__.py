"""The back office: read-only mirrors of Amazon's objects, their history, and buttons that
call the services (issue 4 item 8, docs/admin.md)."""

from __future__ import annotations

from django.contrib import admin

from ..ipn import admin as _ipn_admin  # noqa: F401  (registers the IPN inbox)
from ..models import Authorization, Capture, MwsCall, OrderReference, Refund, StateTransition
from .history import MwsCallAdmin, StateTransitionAdmin
from .order_references import OrderReferenceAdmin
from .payments import AuthorizationAdmin, CaptureAdmin, RefundAdmin

admin.site.register(OrderReference, OrderReferenceAdmin)
admin.site.register(Authorization, AuthorizationAdmin)
admin.site.register(Capture, CaptureAdmin)
admin.site.register(Refund, RefundAdmin)
admin.site.register(StateTransition, StateTransitionAdmin)
admin.site.register(MwsCall, MwsCallAdmin)

__all__ = [
    "AuthorizationAdmin",
    "CaptureAdmin",
    "MwsCallAdmin",
    "OrderReferenceAdmin",
    "RefundAdmin",
    "StateTransitionAdmin",
]
