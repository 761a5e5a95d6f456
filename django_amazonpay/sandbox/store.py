"""The engine's whole state: objects by id, reference-id ledger, timers, seeded ids.

Everything the engine knows lives here so that `snapshot()`/`restore()` is one JSON round trip.
Ids are deterministic from the seed (tests); a seed of None draws a random one, for
simulators that live long or restart (their ids must not repeat the previous run's).
"""

from __future__ import annotations

import heapq
import random
import secrets
from datetime import datetime
from typing import Any

from .objects import Authorization, Capture, OrderReference, Refund, decode, encode


def random_seed() -> int:
    """A seed no other run is likely to have drawn (53 bits: exact as a JSON number anywhere)."""
    return secrets.randbelow(2**53)


class Store:
    def __init__(self, seed: int | None) -> None:
        #: None: a random seed, so a restarted or reset simulator issues new ids
        self.seed = random_seed() if seed is None else seed
        self.orders: dict[str, OrderReference] = {}
        self.authorizations: dict[str, Authorization] = {}
        self.captures: dict[str, Capture] = {}
        self.refunds: dict[str, Refund] = {}
        #: reference id -> (action, request fingerprint, object id): idempotency (spec 3.9)
        self.references: dict[str, tuple[str, tuple[tuple[str, str], ...], str]] = {}
        #: heap of (due, sequence, kind, object id)
        self.timers: list[tuple[datetime, int, str, str]] = []
        self.counter = 0
        self.sequence = 0

    # -- ids (spec 2.2) ---------------------------------------------------------------------
    def _rng(self) -> random.Random:
        # One fresh generator per id: the state to save is a single counter.
        self.counter += 1
        return random.Random(self.seed * 1_000_003 + self.counter)

    def new_order_id(self, letter: str, prefix: str) -> str:
        while True:
            rng = self._rng()
            oid = f"{letter}{prefix}-{rng.randrange(10**7):07d}-{rng.randrange(10**7):07d}"
            if oid not in self.orders:
                return oid

    def new_digits(self, taken: set[str]) -> str:
        while True:
            digits = f"{self._rng().randrange(10**6):06d}"
            if digits not in taken:
                return digits

    def reseed(self) -> None:
        """Continue with a new random seed: for a restored state whose counter may lag behind
        ids issued after it was saved (new_order_id still skips the ids it holds)."""
        self.seed = random_seed()
        self.counter = 0

    # -- timers -----------------------------------------------------------------------------
    def schedule(self, due: datetime, kind: str, object_id: str) -> None:
        self.sequence += 1
        heapq.heappush(self.timers, (due, self.sequence, kind, object_id))

    def pop_due(self, now: datetime) -> tuple[datetime, str, str] | None:
        if self.timers and self.timers[0][0] <= now:
            due, _, kind, object_id = heapq.heappop(self.timers)
            return due, kind, object_id
        return None

    # -- lookups ----------------------------------------------------------------------------
    def find(self, object_id: str) -> OrderReference | Authorization | Capture | Refund | None:
        for table in (self.orders, self.authorizations, self.captures, self.refunds):
            obj = table.get(object_id)
            if obj is not None:
                return obj
        return None

    # -- JSON -------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "counter": self.counter,
            "sequence": self.sequence,
            "orders": [encode(o) for o in self.orders.values()],
            "authorizations": [encode(o) for o in self.authorizations.values()],
            "captures": [encode(o) for o in self.captures.values()],
            "refunds": [encode(o) for o in self.refunds.values()],
            "references": [
                [ref, action, [list(pair) for pair in fp], oid]
                for ref, (action, fp, oid) in self.references.items()
            ],
            "timers": [[due.isoformat(), seq, kind, oid] for due, seq, kind, oid in self.timers],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Store:
        store = cls(int(data["seed"]))
        store.counter = int(data["counter"])
        store.sequence = int(data["sequence"])
        store.orders = {o.id: o for o in (decode(OrderReference, d) for d in data["orders"])}
        store.authorizations = {
            o.id: o for o in (decode(Authorization, d) for d in data["authorizations"])
        }
        store.captures = {o.id: o for o in (decode(Capture, d) for d in data["captures"])}
        store.refunds = {o.id: o for o in (decode(Refund, d) for d in data["refunds"])}
        store.references = {
            ref: (action, tuple((k, v) for k, v in fp), oid)
            for ref, action, fp, oid in data["references"]
        }
        store.timers = [
            (datetime.fromisoformat(due), seq, kind, oid) for due, seq, kind, oid in data["timers"]
        ]
        heapq.heapify(store.timers)
        return store
