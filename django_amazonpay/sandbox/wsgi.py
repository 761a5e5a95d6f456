"""The simulator as a plain WSGI application: the MWS wire plus JSON/HTML control routes.

MWS paths (spec 1.1, 7), with or without a trailing slash (the `mws` package adds one):
`/OffAmazonPayments_Sandbox/2013-01-01` (environment Sandbox), `/OffAmazonPayments/2013-01-01`
(Live), `/Orders/2013-09-01`. Under `/sandbox/`: the front page and the buyer pages (anyone
who can reach the simulator), the IPN certificate, and the control routes (control.py), which
access.py guards. No client input makes it answer 5xx: a body too large, control bytes in the
path, bad JSON are 4xx in the route's own shape; only an injected fault answers 5xx.

Faults that drop the connection cannot be expressed in WSGI: the app raises `ConnectionDropped`
and each transport (in-process adapter, standalone server, Django view) does what it can.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from ..logs import get_logger
from ..regions import (
    ORDERS_PATH,
    ORDERS_VERSION,
    PAYMENTS_PATH_LIVE,
    PAYMENTS_PATH_SANDBOX,
    PAYMENTS_VERSION,
)
from . import buyer, control
from .access import CONTROL_REFUSED, TOKEN_HEADER, control_allowed
from .auth import check_request
from .errors import SimulatorError
from .faults import BEFORE_ENGINE
from .inbound import BadInput, content_type, has_control_chars, printable, query_text, read_body
from .index import index
from .ipn import CERT_PATH
from .responses import ORDERS_NS, PAYMENTS_NS, Reply, error_reply, mws_headers, new_request_id
from .throttle import ORDERS_BUCKET

if TYPE_CHECKING:
    from .simulator import Simulator

log = get_logger("django_amazonpay.sandbox")

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
    409: "Conflict", 411: "Length Required", 413: "Content Too Large",
    415: "Unsupported Media Type", 500: "Internal Server Error", 503: "Service Unavailable",
}  # fmt: skip
BUYER_JSON_ROUTE = "/sandbox/buyer/order-references"


class ConnectionDropped(Exception):
    """Close the connection without an answer. `applied`: the state change happened (lost)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind
        self.applied = kind == "lost"


def host_of(environ: dict) -> str:
    """The Host header as sent (port kept when the client sent one), else SERVER_NAME[:port]."""
    host = environ.get("HTTP_HOST")
    if host:
        return host
    port = environ.get("SERVER_PORT", "80")
    default = "443" if environ.get("wsgi.url_scheme") == "https" else "80"
    name = environ.get("SERVER_NAME", "localhost")
    return name if port == default else f"{name}:{port}"


def request_params(environ: dict, body: bytes) -> dict[str, str]:
    """Query-string and form-body parameters merged, body last (spec 1.2 consequence 1).

    parse_qsl decodes `+` as a space, which is what the Python SDK's urlencode body means.
    """
    params = dict(parse_qsl(query_text(environ), True))
    if body and content_type(environ) in ("", "application/x-www-form-urlencoded"):
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return params


#: how a refused body or path reads on the MWS wire (codes of our own: docs/simulator.md,
#: "Hostile input"; Amazon's own answers to these are unconfirmed)
MWS_CODES = {413: "RequestEntityTooLarge", 411: "MissingContentLength"}


class SimulatorApp:
    """WSGI callable bound to one Simulator."""

    def __init__(self, simulator: Simulator) -> None:
        self.sim = simulator

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
        try:
            return self._route(environ, path if isinstance(path, str) else "/")
        except Exception:  # a bug, not the client's doing: say so in the route's shape
            log.exception("simulator failure")
            return self._refuse(
                environ, path, BadInput(500, "internal_error", "the simulator failed")
            )

    def _route(self, environ: dict, path: str) -> Reply:
        route = ROUTES.get(path.rstrip("/") if path != "/" else path)
        try:
            if has_control_chars(path):
                raise BadInput(400, "invalid_path", "the path contains control characters")
            body = read_body(environ)
        except BadInput as exc:
            return self._refuse(environ, path, exc)
        if route is not None:
            return self.api(environ, body, route)
        method = environ.get("REQUEST_METHOD", "GET")
        stripped = path.rstrip("/")
        if stripped == BUYER_JSON_ROUTE:
            return self._control(environ, body, {"POST": buyer.create_by_json})
        if path.startswith("/sandbox/buyer/"):
            return buyer.dispatch(self.sim, environ, path, body)
        if stripped in ("", "/sandbox") and method == "GET":
            return index(self.sim, environ.get("SCRIPT_NAME", ""))
        if stripped == CERT_PATH:
            if method != "GET":
                return _not_allowed({"GET"})
            return Reply(200, self.sim.ipn.certificate_pem, content_type="application/x-pem-file")
        if path.startswith("/sandbox/objects/"):
            object_id = path[len("/sandbox/objects/") :]
            return self._control(
                environ, body, {"GET": lambda sim, env, data: control.read_object(sim, object_id)}
            )
        handlers = control.ROUTES.get(stripped)
        if handlers is not None:
            return self._control(environ, body, handlers)
        if path.startswith("/sandbox/"):
            return control.json_error("not_found", f"no route {printable(path)}", 404)
        # MWS answers an unknown section or path with InvalidAddress, 404 (spec 4, MWS table).
        return error_reply(
            "InvalidAddress", f"Invalid address: {printable(path)}", 404, "Sender",
            new_request_id(), self.sim.clock.now(),
        )  # fmt: skip

    def _control(self, environ: dict, body: bytes, handlers: dict[str, control.Handler]) -> Reply:
        """A control route: the caller must be allowed (access.py), the method listed."""
        if not control_allowed(environ, self.sim.control_token):
            refused = environ.get(CONTROL_REFUSED)
            return control.json_error(
                "forbidden",
                refused
                if isinstance(refused, str)
                else "the simulator's control routes need a staff user's session (mounted in "
                f"Django) or the {TOKEN_HEADER} header (the standalone server prints it)",
                403,
            )
        handler = handlers.get(environ.get("REQUEST_METHOD", ""))
        if handler is None:
            return _not_allowed(set(handlers))
        try:
            return handler(self.sim, environ, body)
        except BadInput as exc:
            return control.json_error(exc.code, exc.description, exc.status)

    def _refuse(self, environ: dict, path: str, exc: BadInput) -> Reply:
        """`exc` in the shape of the route asked for: XML on the MWS wire, HTML on the buyer
        pages, JSON on the control routes."""
        stripped = path.rstrip("/") if isinstance(path, str) else ""
        if stripped.startswith("/sandbox/buyer/") and stripped != BUYER_JSON_ROUTE:
            return buyer.error_page(exc.description, exc.status)
        if stripped.startswith("/sandbox"):
            return control.json_error(exc.code, exc.description, exc.status)
        route = ROUTES.get(stripped)
        ns = route[2] if route else PAYMENTS_NS
        code = MWS_CODES.get(exc.status, "InternalError" if exc.status >= 500 else "InvalidRequest")
        kind = "Receiver" if exc.status >= 500 else "Sender"
        return error_reply(
            code, exc.description, exc.status, kind, new_request_id(), self.sim.clock.now(), ns
        )

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


def _not_allowed(methods: set[str]) -> Reply:
    allowed = ", ".join(sorted(methods))
    reply = control.json_error("method_not_allowed", f"use {allowed}", 405)
    reply.headers.append(("Allow", allowed))
    return reply
