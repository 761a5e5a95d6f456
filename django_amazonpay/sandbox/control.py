"""The simulator's control routes (JSON): faults, clock, objects, Orders data, state, IPNs.

Reads are GET, changes are POST only (DELETE and the rest are a 405), bodies are JSON
objects checked field by field: a control route answers 2xx or 4xx in the
`{"error", "error_description"}` shape, never a 5xx. Who may call them is access.py's
business; the WSGI app asks it before any handler runs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..safetext import escape_controls
from .faults import KINDS
from .inbound import BadInput, json_object, printable
from .responses import Reply
from .state_check import InvalidState, check_order_items, check_state

if TYPE_CHECKING:
    from .simulator import Simulator

Handler = Callable[["Simulator", dict, bytes], Reply]
#: the furthest one POST /sandbox/clock/advance moves the clock (ten years)
MAX_ADVANCE_SECONDS = 10 * 365 * 24 * 3600
MAX_FAULT_TIMES = 1000
MAX_FAULT_DELAY = 120.0


def json_reply(data: Any, status: int = 200) -> Reply:
    body = json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    return Reply(status, body, content_type="application/json")


def json_error(error: str, description: str, status: int = 400) -> Reply:
    """The control routes' refusal; whatever the description quotes is kept on one line."""
    return json_reply({"error": error, "error_description": escape_controls(description)}, status)


# -- faults ----------------------------------------------------------------------------------
def list_faults(sim: Simulator, environ: dict, body: bytes) -> Reply:
    return json_reply({"pending": [f.as_dict() for f in sim.faults.pending()]})


def inject_fault(sim: Simulator, environ: dict, body: bytes) -> Reply:
    data = json_object(environ, body)
    action = data.get("action")
    if not isinstance(action, str) or not 0 < len(action) <= 100 or printable(action) != action:
        raise BadInput(400, "invalid_action", 'action must be an operation name, or "*" for any')
    if data.get("kind") not in KINDS:
        raise BadInput(400, "invalid_kind", f"kind must be one of {sorted(KINDS)}")
    times = data.get("times", 1)
    if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= MAX_FAULT_TIMES:
        raise BadInput(400, "invalid_times", f"times must be a whole number 1..{MAX_FAULT_TIMES}")
    delay = _number(data.get("delay", 0.0), "delay", 0.0, MAX_FAULT_DELAY)
    if data["kind"] == "slow" and delay <= 0:
        raise BadInput(400, "invalid_delay", "a slow fault needs a positive delay")
    fault = sim.faults.inject(action, data["kind"], times=times, delay=delay)
    return json_reply(fault.as_dict(), 201)


def clear_faults(sim: Simulator, environ: dict, body: bytes) -> Reply:
    sim.faults.clear()
    return json_reply({"pending": []})


# -- clock -----------------------------------------------------------------------------------
def read_clock(sim: Simulator, environ: dict, body: bytes) -> Reply:
    return json_reply({"now": sim.clock.now().isoformat(), "frozen": sim.clock.frozen})


def advance_clock(sim: Simulator, environ: dict, body: bytes) -> Reply:
    data = json_object(environ, body)
    if "seconds" not in data:
        raise BadInput(400, "missing_seconds", 'POST {"seconds": N}')
    seconds = _number(data["seconds"], "seconds", 0.0, float(MAX_ADVANCE_SECONDS))
    try:
        now = sim.advance(timedelta(seconds=seconds))
    except OverflowError:
        raise BadInput(400, "invalid_seconds", "the clock cannot move that far") from None
    return json_reply({"now": now.isoformat()})


# -- objects and the Orders book --------------------------------------------------------------
def read_object(sim: Simulator, object_id: str) -> Reply:
    try:
        return json_reply(sim.get_object(object_id))
    except KeyError:
        return json_error("not_found", f"no object {printable(object_id)}", 404)


def read_orders(sim: Simulator, environ: dict, body: bytes) -> Reply:
    return json_reply(sim.orders.snapshot())


def add_order(sim: Simulator, environ: dict, body: bytes) -> Reply:
    data = json_object(environ, body)
    order_id = data.get("amazon_order_id")
    if not isinstance(order_id, str) or not order_id or printable(order_id) != order_id:
        raise BadInput(400, "invalid_order_id", "amazon_order_id must be a non-empty string")
    status = data.get("status", "Unshipped")
    try:
        check_order_items(data.get("items"))
        sim.orders.add_order(order_id, data["items"], status if isinstance(status, str) else "")
    except (InvalidState, ValueError) as exc:
        raise BadInput(400, "invalid_order", str(exc)) from None
    return json_reply({"amazon_order_id": order_id}, 201)


# -- state -----------------------------------------------------------------------------------
def read_state(sim: Simulator, environ: dict, body: bytes) -> Reply:
    return json_reply(sim.snapshot())


def restore_state(sim: Simulator, environ: dict, body: bytes) -> Reply:
    data = json_object(environ, body)
    try:
        check_state(data, seller_id=sim.seller_id, region=sim.region.code)
        sim.restore(data)
    except (InvalidState, ValueError, KeyError, TypeError) as exc:
        raise BadInput(400, "invalid_state", str(exc)) from None
    return json_reply({"restored": True})


def save_state(sim: Simulator, environ: dict, body: bytes) -> Reply:
    if sim.state_file is None:
        return json_error("no_state_file", "the simulator was started without a state file")
    try:
        return json_reply({"saved": str(sim.save())})
    except OSError as exc:  # the file system, not the caller: still nothing a retry fixes
        return json_error("cannot_save", f"the state file cannot be written: {exc.strerror}", 409)


def reset(sim: Simulator, environ: dict, body: bytes) -> Reply:
    sim.reset()
    return json_reply({"reset": True})


# -- IPN -------------------------------------------------------------------------------------
def list_ipns(sim: Simulator, environ: dict, body: bytes) -> Reply:
    return json_reply(
        [
            {"type": d.notification_type, "object_id": d.object_id, "url": d.url,
             "status": d.status, "error": d.error}
            for d in list(sim.ipn.delivered)
        ]
    )  # fmt: skip


def unsubscribe(sim: Simulator, environ: dict, body: bytes) -> Reply:
    return Reply(200, b"<UnsubscribeResponse/>", content_type="text/xml")


#: path -> method -> handler; /sandbox/objects/<id> and the buyer's JSON route are separate
ROUTES: dict[str, dict[str, Handler]] = {
    "/sandbox/faults": {"GET": list_faults, "POST": inject_fault},
    "/sandbox/faults/clear": {"POST": clear_faults},
    "/sandbox/clock": {"GET": read_clock},
    "/sandbox/clock/advance": {"POST": advance_clock},
    "/sandbox/orders": {"GET": read_orders, "POST": add_order},
    "/sandbox/state": {"GET": read_state, "POST": restore_state},
    "/sandbox/state/save": {"POST": save_state},
    "/sandbox/reset": {"POST": reset},
    "/sandbox/ipn": {"GET": list_ipns},
    "/sandbox/sns/unsubscribe": {"GET": unsubscribe},
}


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadInput(400, f"invalid_{name}", f"{name} must be a number")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        number = math.inf
    if not math.isfinite(number) or not low <= number <= high:
        raise BadInput(400, f"invalid_{name}", f"{name} must be between {low:g} and {high:g}")
    return number
