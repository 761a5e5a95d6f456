"""The simulator as a plain WSGI application: the MWS wire plus JSON/HTML control routes.

MWS paths (spec 1.1, 7), with or without a trailing slash (the `mws` package adds one):
`/OffAmazonPayments_Sandbox/2013-01-01` (environment Sandbox), `/OffAmazonPayments/2013-01-01`
(Live), `/Orders/2013-09-01`. Everything under `/sandbox/` is the simulator's own control API.

Faults that drop the connection cannot be expressed in WSGI: the app raises `ConnectionDropped`
and each transport (in-process adapter, standalone server, Django view) does what it can.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from ..regions import (
    ORDERS_PATH,
    ORDERS_VERSION,
    PAYMENTS_PATH_LIVE,
    PAYMENTS_PATH_SANDBOX,
    PAYMENTS_VERSION,
)
from . import buyer
from .auth import check_request
from .errors import SimulatorError
from .faults import BEFORE_ENGINE, KINDS
from .index import index
from .ipn import CERT_PATH
from .responses import ORDERS_NS, PAYMENTS_NS, Reply, error_reply, mws_headers, new_request_id
from .throttle import ORDERS_BUCKET

if TYPE_CHECKING:
    from .simulator import Simulator

log = logging.getLogger("django_amazonpay.sandbox")

#: environ keys shared with the transports
DEFER_DELAY = "django_amazonpay.sandbox.defer_delay"
DELAY = "django_amazonpay.sandbox.delay"
ROUTES = {
    PAYMENTS_PATH_SANDBOX: ("Sandbox", PAYMENTS_VERSION, PAYMENTS_NS),
    PAYMENTS_PATH_LIVE: ("Live", PAYMENTS_VERSION, PAYMENTS_NS),
    ORDERS_PATH: ("Orders", ORDERS_VERSION, ORDERS_NS),
}
STATUS_TEXT = {
    200: "OK", 201: "Created", 204: "No Content", 302: "Found", 400: "Bad Request",
    401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    500: "Internal Server Error", 503: "Service Unavailable",
}  # fmt: skip


class ConnectionDropped(Exception):
    """Close the connection without an answer. `applied`: the state change happened (lost)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind
        self.applied = kind == "lost"


def json_reply(data: Any, status: int = 200) -> Reply:
    body = json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    return Reply(status, body, content_type="application/json")


def json_error(error: str, description: str, status: int = 400) -> Reply:
    return json_reply({"error": error, "error_description": description}, status)


def host_of(environ: dict) -> str:
    """The Host header as sent (port kept when the client sent one), else SERVER_NAME[:port]."""
    host = environ.get("HTTP_HOST")
    if host:
        return host
    port = environ.get("SERVER_PORT", "80")
    default = "443" if environ.get("wsgi.url_scheme") == "https" else "80"
    name = environ.get("SERVER_NAME", "localhost")
    return name if port == default else f"{name}:{port}"


def read_body(environ: dict) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def request_params(environ: dict, body: bytes) -> dict[str, str]:
    """Query-string and form-body parameters merged, body last (spec 1.2 consequence 1).

    parse_qsl decodes `+` as a space, which is what the Python SDK's urlencode body means.
    """
    query = environ.get("QUERY_STRING", "")
    # PEP 3333 hands the query over as latin-1; undo that to get the bytes back.
    params = dict(parse_qsl(query.encode("latin-1").decode("utf-8", "replace"), True))
    ctype = environ.get("CONTENT_TYPE", "")
    if body and (not ctype or ctype.startswith("application/x-www-form-urlencoded")):
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return params


class SimulatorApp:
    """WSGI callable bound to one Simulator."""

    def __init__(self, simulator: Simulator) -> None:
        self.sim = simulator
        self.control: dict[str, Callable[[dict, bytes], Reply]] = {
            "/sandbox/faults": self._faults,
            "/sandbox/clock": self._clock,
            "/sandbox/clock/advance": self._advance,
            "/sandbox/orders": self._orders,
            "/sandbox/state": self._state,
            "/sandbox/state/save": self._save,
            "/sandbox/reset": self._reset,
            "/sandbox/ipn": self._ipn,
            CERT_PATH: self._cert,
            "/sandbox/sns/unsubscribe": self._unsubscribe,
        }

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        reply = self.dispatch(environ)
        if reply.drop:
            raise ConnectionDropped(reply.drop)
        if reply.delay:
            if environ.get(DEFER_DELAY):
                environ[DELAY] = reply.delay  # the in-process adapter honours its read timeout
            else:
                time.sleep(reply.delay)
        status = f"{reply.status} {STATUS_TEXT.get(reply.status, 'Status')}"
        headers = [*reply.header_list(), ("Content-Length", str(len(reply.body)))]
        start_response(status, headers)
        return [reply.body]

    def dispatch(self, environ: dict) -> Reply:
        path = environ.get("PATH_INFO", "") or "/"
        route = ROUTES.get(path.rstrip("/") if path != "/" else path)
        body = read_body(environ)
        if route is not None:
            return self.api(environ, body, route)
        if path.startswith("/sandbox/buyer/"):
            return buyer.dispatch(self.sim, environ, path, body)
        if path.startswith("/sandbox/objects/"):
            return self._object(path.rsplit("/", 1)[1])
        if path.rstrip("/") in ("", "/sandbox") and environ.get("REQUEST_METHOD") == "GET":
            return index(self.sim, environ.get("SCRIPT_NAME", ""))
        handler = self.control.get(path.rstrip("/"))
        if handler is not None:
            try:
                return handler(environ, body)
            except (ValueError, KeyError, TypeError) as exc:
                return json_error("invalid_request", str(exc))
        request_id = new_request_id()
        # MWS answers an unknown section or path with InvalidAddress, 404 (spec 4, MWS table).
        return error_reply(
            "InvalidAddress", f"Invalid address: {path}", 404, "Sender", request_id,
            self.sim.clock.now(),
        )  # fmt: skip

    # -- the MWS wire -----------------------------------------------------------------------
    def api(self, environ: dict, body: bytes, route: tuple[str, str, str]) -> Reply:
        sim = self.sim
        environment, version, ns = route
        request_id = new_request_id()
        now = sim.clock.now()
        # The signed path is the path the client used, mount prefix included (SCRIPT_NAME).
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        params = request_params(environ, body)
        fault = None
        try:
            check_request(
                params=params,
                method=environ.get("REQUEST_METHOD", "GET"),
                host=host_of(environ),
                path=path,
                version=version,
                credentials=sim.credentials,
                seller_id=sim.seller_id,
                now=now,
                # Wrong SellerId for good keys: code and status **unconfirmed** (spec 4 lists
                # UnauthorizedAccess 401 for payments, AccessDenied 401 MWS-wide).
                seller_error=("AccessDenied", 401)
                if environment == "Orders"
                else ("UnauthorizedAccess", 401),
            )
            action = params["Action"]
            if environment != "Orders" and action not in sim.engine.known_actions:
                # Unknown Action: exact code **unconfirmed** (spec 4); MWS's InvalidAddress.
                raise SimulatorError("InvalidAddress", f"Invalid operation: {action}", 404)
            mode = "sandbox" if environment == "Sandbox" else "production"
            bucket = ORDERS_BUCKET if environment == "Orders" else action
            if not sim.throttle.allow(bucket, mode):
                raise SimulatorError("RequestThrottled", "Request is throttled", 503, "")
            fault = sim.faults.take(action)
            if fault and fault.kind in BEFORE_ENGINE:
                return self._early_fault(fault.kind, request_id, ns)
            with sim.lock:
                sim.engine.advance()
                if environment == "Orders":
                    text = sim.orders.handle(action, params, request_id)
                else:
                    text = sim.engine.handle(
                        action, params, environment=environment, request_id=request_id
                    )
        except SimulatorError as exc:
            return error_reply(exc.code, exc.message, exc.status, exc.type, request_id, now, ns)
        except Exception:
            log.exception("simulator failure on %s", path)
            return error_reply(
                "InternalError", "We encountered an internal error. Please try again.",
                500, "Receiver", request_id, now, ns,
            )  # fmt: skip
        finally:
            sim.ipn.deliver_held()
        reply = Reply(200, text.encode("utf-8"), mws_headers(request_id, now))
        if fault is not None:
            if fault.kind == "slow":
                reply.delay = fault.delay
            elif fault.kind == "malformed":
                reply.body = reply.body[: max(len(reply.body) // 2, 1)]
            elif fault.kind == "lost_response":
                reply.drop = "lost"
        return reply

    def _early_fault(self, kind: str, request_id: str, ns: str) -> Reply:
        now = self.sim.clock.now()
        if kind == "reset":
            return Reply(0, b"", drop="reset")
        if kind == "throttled":
            return error_reply("RequestThrottled", "", 503, "", request_id, now, ns)
        if kind == "http_503":
            return error_reply(
                "ServiceUnavailable", "Service is temporarily unavailable.", 503, "Receiver",
                request_id, now, ns,
            )  # fmt: skip
        return error_reply(
            "InternalError", "We encountered an internal error. Please try again.", 500,
            "Receiver", request_id, now, ns,
        )  # fmt: skip

    # -- control routes (JSON) ---------------------------------------------------------------
    def _faults(self, environ: dict, body: bytes) -> Reply:
        method = environ.get("REQUEST_METHOD")
        if method == "POST":
            data = json.loads(body or b"{}")
            if data.get("kind") not in KINDS:
                return json_error("invalid_kind", f"kind must be one of {sorted(KINDS)}")
            fault = self.sim.faults.inject(
                str(data["action"]),
                data["kind"],
                times=int(data.get("times", 1)),
                delay=float(data.get("delay", 0.0)),
            )
            return json_reply(fault.as_dict(), 201)
        if method == "DELETE":
            self.sim.faults.clear()
            return json_reply({"pending": []})
        return json_reply({"pending": [f.as_dict() for f in self.sim.faults.pending()]})

    def _clock(self, environ: dict, body: bytes) -> Reply:
        return json_reply(
            {"now": self.sim.clock.now().isoformat(), "frozen": self.sim.clock.frozen}
        )

    def _advance(self, environ: dict, body: bytes) -> Reply:
        if environ.get("REQUEST_METHOD") != "POST":
            return json_error("method_not_allowed", 'POST {"seconds": N}', 405)
        seconds = float(json.loads(body or b"{}")["seconds"])
        now = self.sim.advance(timedelta(seconds=seconds))
        return json_reply({"now": now.isoformat()})

    def _object(self, object_id: str) -> Reply:
        try:
            return json_reply(self.sim.get_object(object_id))
        except (KeyError, SimulatorError):
            return json_error("not_found", f"no object {object_id}", 404)

    def _orders(self, environ: dict, body: bytes) -> Reply:
        if environ.get("REQUEST_METHOD") != "POST":
            return json_reply(self.sim.orders.snapshot())
        data = json.loads(body or b"{}")
        self.sim.orders.add_order(
            str(data["amazon_order_id"]), list(data["items"]), data.get("status", "Unshipped")
        )
        return json_reply({"amazon_order_id": data["amazon_order_id"]}, 201)

    def _state(self, environ: dict, body: bytes) -> Reply:
        if environ.get("REQUEST_METHOD") == "POST":
            self.sim.restore(json.loads(body))
            return json_reply({"restored": True})
        return json_reply(self.sim.snapshot())

    def _save(self, environ: dict, body: bytes) -> Reply:
        if environ.get("REQUEST_METHOD") != "POST":
            return json_error("method_not_allowed", "POST to save", 405)
        if self.sim.state_file is None:
            return json_error("no_state_file", "the simulator was started without a state file")
        return json_reply({"saved": str(self.sim.save())})

    def _reset(self, environ: dict, body: bytes) -> Reply:
        if environ.get("REQUEST_METHOD") != "POST":
            return json_error("method_not_allowed", "POST to reset", 405)
        self.sim.reset()
        return json_reply({"reset": True})

    def _ipn(self, environ: dict, body: bytes) -> Reply:
        return json_reply(
            [
                {"type": d.notification_type, "object_id": d.object_id, "url": d.url,
                 "status": d.status, "error": d.error}
                for d in list(self.sim.ipn.delivered)
            ]
        )  # fmt: skip

    def _cert(self, environ: dict, body: bytes) -> Reply:
        return Reply(200, self.sim.ipn.certificate_pem, content_type="application/x-pem-file")

    def _unsubscribe(self, environ: dict, body: bytes) -> Reply:
        return Reply(200, b"<UnsubscribeResponse/>", content_type="text/xml")
