"""The app's records: Amazon's payment objects mirrored, the shop's order snapshot, history.

Amazon's ids are unique fields named after Amazon's elements; our own bookkeeping fields are
`created_at`/`updated_at`/`attempt*` so nobody mistakes them for Amazon's (STYLE 6).
"""

from __future__ import annotations

from .api import IdempotencyKey
from .history import MwsCall, StateTransition
from .ipn import IpnMessage, IpnProcessing, IpnVerdict  # noqa: F401  (IPN inbox)
from .orders import OrderItem, OrderReference
from .payments import Authorization, Capture, Refund

__all__ = [
    "Authorization",
    "Capture",
    "IdempotencyKey",
    "MwsCall",
    "OrderItem",
    "OrderReference",
    "Refund",
    "StateTransition",
]
