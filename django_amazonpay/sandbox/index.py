"""The simulator's front page (GET `/` or `/sandbox/`): what it is, what it holds, where to go.

A person opening the address the demo prints should land on a page, not on MWS's
InvalidAddress error; the MWS endpoints themselves take POST only, so GET `/` is free.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from .access import TOKEN_HEADER
from .buyer import render
from .ipn import CERT_PATH
from .responses import Reply

if TYPE_CHECKING:
    from .simulator import Simulator

CONTROL_ROUTES = (
    ("GET", "/sandbox/state", _("everything the simulator holds, as JSON (POST restores it)")),
    ("GET", "/sandbox/objects/<id>", _("one order reference, authorization, capture or refund")),
    ("GET", "/sandbox/clock", _("the simulator's clock")),
    ("POST", "/sandbox/clock/advance", _('{"seconds": N}: move the clock, settle what is due')),
    ("GET", "/sandbox/faults", _("faults waiting (POST injects one)")),
    ("POST", "/sandbox/faults/clear", _("forget the faults waiting")),
    ("GET", "/sandbox/orders", _("MWS Orders data (POST adds an order)")),
    ("GET", "/sandbox/ipn", _("the IPNs sent so far, with each delivery's result")),
    ("POST", "/sandbox/buyer/order-references", _("a signed-in buyer's order reference")),
    ("POST", "/sandbox/reset", _("forget every object")),
    ("POST", "/sandbox/state/save", _("write the state file")),
)


def index(sim: Simulator, script_name: str = "") -> Reply:
    """The front page; `script_name` is the prefix the simulator is mounted under.

    Anyone who reaches the simulator sees it, so it shows counts and addresses only: no
    order reference id (an id someone could start a checkout with), no buyer.
    """
    context: dict[str, Any] = {
        "prefix": script_name.rstrip("/"),
        "seller_id": sim.seller_id,
        "region": sim.region.code,
        "now": sim.clock.now().isoformat(timespec="seconds"),
        "frozen": sim.clock.frozen,
        "counts": list(sim.engine.summary(0)["counts"].items()),
        "faults": len(sim.faults.pending()),
        "control": CONTROL_ROUTES,
        "certificate": CERT_PATH,
        "token_header": TOKEN_HEADER,
    }
    return render("index.html", context)
