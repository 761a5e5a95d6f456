"""The simulator on a real socket: a threaded wsgiref server, no Django settings needed.

Faults that drop the connection really drop it here: the socket is shut down with nothing
written, so clients see the same "connection aborted" they would on a broken network.
"""

from __future__ import annotations

import io
import socket
import struct
import sys
import threading
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from ..logs import get_logger
from .access import CONTROL_GRANTED
from .inbound import BODY_PROBLEM, MAX_BODY_BYTES
from .wsgi import ConnectionDropped

if TYPE_CHECKING:
    from .simulator import Simulator

log = get_logger("django_amazonpay.sandbox.server")


class _Handler(ServerHandler):
    # HTTP/1.1 so clients with a connection pool keep their connection (spec 1.2: real MWS
    # endpoints are HTTP/1.1); a response without Content-Length closes it (see below).
    http_version = "1.1"
    dropped = False
    has_length = False

    def _flush(self) -> None:
        # wsgiref flushes after every write (status line, headers, body); the request
        # handler flushes once per response instead, so it leaves in one send
        pass

    def close(self) -> None:
        # wsgiref's close() forgets the headers: note first whether the body had a length.
        self.has_length = self.headers is not None and "Content-Length" in self.headers
        super().close()

    def handle_error(self) -> None:
        if isinstance(sys.exc_info()[1], ConnectionDropped):
            self.dropped = True  # answer nothing; the request handler closes the socket
            return
        super().handle_error()

    def log_exception(self, exc_info: Any) -> None:
        log.error("simulator error", exc_info=exc_info)


class _RequestHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"
    # wsgiref writes headers and body separately: without TCP_NODELAY a kept-alive
    # connection waits ~40 ms for the delayed ACK before the body goes out (Nagle).
    disable_nagle_algorithm = True
    # a buffered writer (wsgiref's default is unbuffered: a syscall per write)
    wbufsize = -1

    def handle(self) -> None:
        # Keep-alive: serve requests on this connection until the client or we close it.
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection:
            self.handle_one_request()

    def handle_one_request(self) -> None:
        # wsgiref's handle(), with our ServerHandler so a dropped connection writes nothing.
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return
        # Read the whole body first: an app that answers without reading it must not leave
        # bytes behind that would be parsed as the next request on this connection. A body
        # the app will refuse (too large, no usable length) is not read: the app answers in
        # the route's shape and the connection closes behind the answer.
        environ = self.get_environ()
        environ[CONTROL_GRANTED] = False  # only the control token opens the control routes
        problem = _body_problem(self.headers)
        if problem is None:
            length = int(self.headers.get("Content-Length") or 0)
            body = io.BytesIO(self.rfile.read(length) if length > 0 else b"")
        else:
            environ[BODY_PROBLEM] = problem
            body = io.BytesIO(b"")
            self.close_connection = True
        handler = _Handler(
            body, self.wfile, self.get_stderr(), environ, multithread=True,
        )  # fmt: skip
        handler.request_handler = self
        handler.run(self.server.get_app())
        if not handler.dropped:
            try:
                self.wfile.flush()
            except OSError:  # the client went away: nothing more to say on this connection
                self.close_connection = True
        if not handler.has_length or problem is not None:
            self.close_connection = True  # wsgiref does not chunk: the end is the close
        if handler.dropped:
            self.close_connection = True
            # SO_LINGER 0: close with a reset, as a dropped connection looks on the wire.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)


def _body_problem(headers: Any) -> str | None:
    """Why the body cannot be read (inbound.BODY_PROBLEMS), or None."""
    if headers.get("Transfer-Encoding"):
        return "chunked"
    raw = (headers.get("Content-Length") or "").strip()
    if raw and not (raw.isascii() and raw.isdigit()):
        return "bad_length"
    if raw and int(raw) > MAX_BODY_BYTES:
        return "too_large"
    return None


class ThreadedWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class SimulatorServer:
    """Serve `simulator` on host:port (port 0 = any free port) in a background thread."""

    def __init__(self, simulator: Simulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.simulator = simulator
        self.httpd = ThreadedWSGIServer((host, port), _RequestHandler)
        self.httpd.set_app(simulator.wsgi_app)
        self.host, self.port = self.httpd.server_address[:2]
        self._thread: threading.Thread | None = None
        # IPN SigningCertURL and buyer redirects point at this server from now on.
        simulator.base_url = self.base_url
        # clients whose ENDPOINT is this address use the socket, not the in-process route
        simulator.served_at = self.base_url

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> SimulatorServer:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="amazonpay-simulator", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        if getattr(self.simulator, "served_at", None) == self.base_url:
            self.simulator.served_at = None
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
