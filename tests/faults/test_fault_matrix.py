"""The fault matrix (issue 7 item 1): every mutating use case under every wire fault.

For each operation x fault x variant the cell:

1. builds the objects the operation needs, with no fault;
2. injects the fault on the operation's action, either `once` (the client's own retry should
   absorb it) or `persistent` (one more time than the client retries: the service sees it);
3. runs the use case through the services; a refusal must be a ServiceError (what the API
   maps to its error body), never a raw wire error;
4. ends the outage, then does what the caller and the background jobs do: the caller repeats
   an inconclusive call once, the settle step refreshes every object (stand-in for the
   settle task until it lands), the simulator's clock moves past the Pending periods and the
   settle task and the reconcile task run again;
5. asserts our rows equal the simulator's objects (state, amount, ids), the operation's
   expected final state, nothing left in flight, and exactly one authorization / capture /
   refund at the simulator and among our live rows.

Client backoff pauses are recorded, not slept: the whole matrix runs in a few seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import F

from django_amazonpay import services
from django_amazonpay.client import get_client
from django_amazonpay.conf import get_settings
from django_amazonpay.models import Authorization, Capture, OrderReference, Refund
from django_amazonpay.states import AttemptState
from tests.services.conftest import TOTAL, draft, with_details

from .conftest import RESULTS

pytestmark = pytest.mark.django_db

FAULTS = ["never_sent", "lost_response", "http_500", "throttled", "malformed", "reset", "slow"]
FAULT_TITLES = {
    "never_sent": "timeout before sending",
    "lost_response": "response lost (applied)",
    "http_500": "HTTP 500",
    "throttled": "503 throttled",
    "malformed": "malformed XML",
    "reset": "connection reset",
    "slow": "read timeout (applied)",
}
VARIANTS = ["once", "persistent", "abandoned"]
#: operations whose attempt rows the settle task recovers without the caller (abandoned)
BACKGROUND_RECOVERED = {"authorize sync", "authorize async", "capture", "refund"}


@dataclass
class Ctx:
    sim: Any
    oro: OrderReference
    target: Any = None  # the row the use case acts on (authorization, capture)


@dataclass(frozen=True)
class Operation:
    action: str
    prepare: Callable[[Any, Any, Any], Ctx]
    run: Callable[[Ctx], Any]
    #: the final states expected after recovery: order reference, and the new object's kind
    expect_oro: str
    expect: tuple[str, str] | None = None  # (kind, state) of the one object created


def _draft(sim: Any, open_order: Any, authorized: Any) -> Ctx:
    return Ctx(sim, draft(sim))


def _detailed(sim: Any, open_order: Any, authorized: Any) -> Ctx:
    return Ctx(sim, with_details(draft(sim)))


def _open(sim: Any, open_order: Any, authorized: Any) -> Ctx:
    return Ctx(sim, open_order())


def _authorized(sim: Any, open_order: Any, authorized: Any) -> Ctx:
    auth = authorized()
    return Ctx(sim, auth.order_reference, auth)


def _captured(sim: Any, open_order: Any, authorized: Any) -> Ctx:
    cap = services.capture(authorized()).capture
    return Ctx(sim, cap.order_reference, cap)


def _inconclusive(result: Any) -> bool:
    return getattr(result, "outcome", None) == "in_doubt"


OPERATIONS: dict[str, Operation] = {
    "set details": Operation(
        "SetOrderReferenceDetails",
        _draft,
        lambda c: with_details(c.oro),
        expect_oro="Draft",
    ),
    "confirm": Operation(
        "ConfirmOrderReference", _detailed, lambda c: services.confirm(c.oro), "Open"
    ),
    "authorize sync": Operation(
        "Authorize",
        _open,
        lambda c: services.authorize(c.oro, synchronous=True),
        "Open",
        ("authorization", "Open"),
    ),
    "authorize async": Operation(
        "Authorize",
        _open,
        lambda c: services.authorize(c.oro, synchronous=False),
        "Open",
        ("authorization", "Open"),
    ),
    "capture": Operation(
        "Capture",
        _authorized,
        lambda c: services.capture(c.target),
        "Open",
        ("capture", "Completed"),
    ),
    "refund": Operation(
        "Refund",
        _captured,
        lambda c: services.refund(c.target, amount=1000),
        "Open",
        ("refund", "Completed"),
    ),
    "close": Operation(
        "CloseOrderReference", _authorized, lambda c: services.close_order(c.oro), "Closed"
    ),
    "cancel": Operation(
        "CancelOrderReference", _open, lambda c: services.cancel_order(c.oro), "Canceled"
    ),
}


# -- the background step ------------------------------------------------------------------------
def settle(oro: OrderReference) -> None:
    """The background jobs as the beat schedule runs them: settle, then reconcile."""
    from django_amazonpay import tasks

    tasks.settle_pending.apply(kwargs={"limit": 100}).get()
    tasks.reconcile_open_orders.apply(
        kwargs={"order_reference_ids": [oro.amazon_order_reference_id]}
    ).get()


# -- the comparison -----------------------------------------------------------------------------
def _live(model: Any, oro: OrderReference) -> list[Any]:
    return list(model.objects.filter(order_reference=oro).exclude(attempt_state="failed"))


def mismatches(sim: Any, oro: OrderReference) -> list[str]:
    """Every difference between our rows for `oro` and the simulator's objects."""
    problems: list[str] = []
    oro.refresh_from_db()
    remote = sim.get_object(oro.amazon_order_reference_id)
    if oro.state != remote["state"]:
        problems.append(f"order reference state {oro.state} != {remote['state']}")
    if remote["order_total"] is not None and oro.amount != Decimal(remote["order_total"]):
        problems.append(f"order total {oro.amount} != {remote['order_total']}")
    auth_ids = list(remote["id_list"])
    capture_ids = [c for a in auth_ids for c in sim.get_object(a)["id_list"]]
    refund_ids = [r for c in capture_ids for r in sim.get_object(c)["id_list"]]
    for model, ids, field in (
        (Authorization, auth_ids, "amazon_authorization_id"),
        (Capture, capture_ids, "amazon_capture_id"),
        (Refund, refund_ids, "amazon_refund_id"),
    ):
        name = model.__name__.lower()
        rows = list(model.objects.filter(order_reference=oro))
        for row in rows:
            if row.attempt_state in (AttemptState.REQUESTING, AttemptState.IN_DOUBT):
                problems.append(f"{name} {row.pk} still {row.attempt_state}")
            if row.attempt_state == AttemptState.FAILED and getattr(row, field):
                problems.append(f"failed {name} {row.pk} has an Amazon id")
        ours = sorted(getattr(r, field) for r in rows if r.attempt_state != "failed")
        if ours != sorted(ids):
            problems.append(f"{name} ids ours={ours} simulator={sorted(ids)}")
            continue
        for row in rows:
            if row.attempt_state == "failed":
                continue
            obj = sim.get_object(getattr(row, field))
            if row.state != obj["state"]:
                problems.append(f"{name} state {row.state} != {obj['state']}")
            if row.amount != Decimal(obj["amount"]):
                problems.append(f"{name} amount {row.amount} != {obj['amount']}")
    return problems


def expected_outcome(op: Operation, ctx: Ctx) -> list[str]:
    problems: list[str] = []
    oro = ctx.oro
    if oro.state != op.expect_oro:
        problems.append(f"order reference is {oro.state}, expected {op.expect_oro}")
    if op.action == "SetOrderReferenceDetails" and oro.amount != TOTAL:
        problems.append(f"order total {oro.amount}, expected {TOTAL}")
    if op.expect is not None:
        kind, state = op.expect
        model = {"authorization": Authorization, "capture": Capture, "refund": Refund}[kind]
        rows = _live(model, oro)
        if len(rows) != 1:
            problems.append(f"{len(rows)} live {kind}s, expected exactly 1")
        elif rows[0].state != state:
            problems.append(f"{kind} is {rows[0].state}, expected {state}")
    return problems


# -- the cells ----------------------------------------------------------------------------------
CELLS = [
    (name, fault, variant)
    for name in OPERATIONS
    for fault in FAULTS
    for variant in VARIANTS
    if variant != "abandoned" or name in BACKGROUND_RECOVERED
]


@pytest.mark.parametrize(("name", "fault", "variant"), CELLS)
def test_cell(
    name: str,
    fault: str,
    variant: str,
    sim: Any,
    never_sent: Any,
    pauses: list[float],
    open_order: Any,
    authorized: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    op = OPERATIONS[name]
    ctx = op.prepare(sim, open_order, authorized)
    times = 1 if variant == "once" else get_settings().max_retries + 1
    if fault == "never_sent":
        never_sent.inject(op.action, times)
    elif fault == "slow":
        # Amazon does the work but answers after our read timeout
        client = get_client()
        monkeypatch.setattr(client, "config", replace(client.config, read_timeout=0.01))
        sim.faults.inject(op.action, fault, times=times, delay=0.05)
    else:
        sim.faults.inject(op.action, fault, times=times)
    fired_before = never_sent.fired

    problems: list[str] = []
    result: Any = None
    error: Exception | None = None
    try:
        result = op.run(ctx)
    except services.ServiceError as err:
        error = err
    except Exception as err:  # recorded as the cell's failure, not raised: the table shows it
        error = err
        problems.append(f"raised {type(err).__name__} (not a ServiceError): {err}")
    fired = len(sim.faults.fired) + never_sent.fired - fired_before
    # the outage ends; the caller repeats an inconclusive call, the background jobs settle
    sim.faults.clear()
    never_sent.pending.clear()
    if not fired:
        problems.append("the fault never fired")
    try:
        if variant == "abandoned":
            # the caller never comes back; the in-doubt grace of the settle task has passed
            for model in (Authorization, Capture, Refund):
                model.objects.filter(order_reference=ctx.oro).update(
                    updated_at=F("updated_at") - timedelta(minutes=15)
                )
        elif error is not None or _inconclusive(result):
            op.run(ctx)
        settle(ctx.oro)
        sim.advance(timedelta(minutes=5))
        settle(ctx.oro)
    except Exception as err:
        problems.append(f"recovery raised {type(err).__name__}: {err}")
    if not problems:
        problems += mismatches(sim, ctx.oro)
        if variant == "abandoned" and fault == "never_sent":
            # certainly never sent: the attempt failed (NotSent), the caller was told, and
            # nothing exists on either side until it tries again
            if getattr(error, "amazon_code", None) != "NotSent":
                problems.append(f"expected a NotSent error, got {error!r}")
        else:
            problems += expected_outcome(op, ctx)

    RESULTS[(name, fault, variant)] = "ok" if not problems else "; ".join(problems)
    print(f"\n[fault matrix] {name} x {fault} ({variant}): {RESULTS[(name, fault, variant)]}")
    assert not problems, problems


def render_table(results: dict[tuple[str, str, str], str]) -> str:
    """Rows: operations; columns: faults; a cell reads `once/persistent[/abandoned]`."""
    width = max(len(t) for t in FAULT_TITLES.values())
    head = "| operation       | " + " | ".join(FAULT_TITLES[f].ljust(width) for f in FAULTS) + " |"
    lines = [head, "|" + "|".join("-" * (len(c) + 0) for c in head.split("|")[1:-1]) + "|"]
    failures = []
    for name in OPERATIONS:
        cells = []
        for fault in FAULTS:
            marks = []
            for variant in VARIANTS:
                verdict = results.get((name, fault, variant))
                if verdict is None and variant == "abandoned" and name not in BACKGROUND_RECOVERED:
                    continue
                marks.append("-" if verdict is None else "ok" if verdict == "ok" else "FAIL")
                if verdict not in (None, "ok"):
                    failures.append(f"{name} x {fault} ({variant}): {verdict}")
            cells.append("/".join(marks).ljust(width))
        lines.append(f"| {name.ljust(15)} | " + " | ".join(cells) + " |")
    lines.append("cells read once/persistent[/abandoned]: the fault hits one call (the client's")
    lines.append("retry absorbs it); every retry of it (the service, one repeat by the caller and")
    lines.append("the settle/reconcile tasks recover); or every retry and the caller never")
    lines.append("comes back (the settle task alone recovers the attempt left in doubt).")
    lines.extend(failures)
    return "\n".join(lines)
