"""In-process transport: a `requests` adapter that calls the simulator's WSGI app directly.

No socket, no thread: the client benchmark makes thousands of calls through this. Faults map
onto what `requests` would raise on a real network: a dropped connection becomes
`requests.ConnectionError` (after the engine ran for lost_response), a slow answer beyond the
request's read timeout becomes `requests.ReadTimeout` (the state change already applied).
"""

from __future__ import annotations

import io
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from .access import CONTROL_GRANTED
from .wsgi import DEFER_DELAY, DELAY, ConnectionDropped

if TYPE_CHECKING:
    from .simulator import Simulator


def _read_timeout(timeout: Any) -> float | None:
    if isinstance(timeout, tuple):
        return timeout[1]
    return timeout


class SimulatorAdapter(BaseAdapter):
    """Mount on a `requests.Session`: every request under the prefix goes to `simulator`.

    `script_name` is the path the simulator is mounted under (`/amazonpay-sandbox` when the
    client's ENDPOINT is a project's mount): passed as SCRIPT_NAME, as the Django mount does,
    so the same ENDPOINT works in-process and over the project's server.
    """

    def __init__(self, simulator: Simulator, script_name: str = "") -> None:
        super().__init__()
        self.simulator = simulator
        self.script_name = script_name.rstrip("/")
        self.app = simulator.wsgi_app
        #: every PreparedRequest seen, most recent last (bounded), for assertions
        self.requests: list[requests.PreparedRequest] = []
        self.keep = 200

    def send(  # type: ignore[override]
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        self.requests.append(request)
        if len(self.requests) > self.keep:
            del self.requests[: -self.keep]
        environ = self.environ_for(request)
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        try:
            chunks = self.app(environ, start_response)
        except ConnectionDropped as exc:
            raise requests.ConnectionError(
                f"Connection aborted by the simulator ({exc.kind})", request=request
            ) from None
        body = b"".join(chunks)
        delay = environ.get(DELAY, 0.0)
        if delay:
            limit = _read_timeout(timeout)
            if limit is not None and delay > limit:
                time.sleep(limit)
                raise requests.ReadTimeout(
                    f"Read timed out (simulated slow answer, {delay}s > {limit}s)",
                    request=request,
                )
            time.sleep(delay)
        return self._response(request, captured, body)

    def environ_for(self, request: requests.PreparedRequest) -> dict[str, Any]:
        url = urlsplit(request.url or "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):  # a file-like or generator body
            body = b"".join(body) if not hasattr(body, "read") else body.read()
        scheme = url.scheme or "http"
        port = str(url.port or (443 if scheme == "https" else 80))
        # PEP 3333: PATH_INFO is the percent-decoded path as latin-1 text, below SCRIPT_NAME.
        path = unquote(url.path or "/", encoding="latin-1")
        script_name = ""
        prefix = self.script_name
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            script_name, path = prefix, path[len(prefix) :] or "/"
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method or "GET",
            "SCRIPT_NAME": script_name,
            "PATH_INFO": path,
            "QUERY_STRING": url.query,
            "SERVER_NAME": url.hostname or "localhost",
            "SERVER_PORT": port,
            "SERVER_PROTOCOL": "HTTP/1.1",
            # The Host header a real client would send: the URL's netloc (spec 1.4 step 5).
            "HTTP_HOST": url.netloc,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            DEFER_DELAY: True,
            # the caller is this process's own code (a test): it may use the control routes
            CONTROL_GRANTED: True,
        }
        for name, value in request.headers.items():
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif key not in ("CONTENT_LENGTH", "HOST"):
                environ["HTTP_" + key] = value
            elif key == "HOST":
                environ["HTTP_HOST"] = value
        return environ

    @staticmethod
    def _response(
        request: requests.PreparedRequest, captured: dict[str, Any], body: bytes
    ) -> requests.Response:
        response = requests.Response()
        code, _, reason = captured["status"].partition(" ")
        response.status_code = int(code)
        response.reason = reason
        response.headers = CaseInsensitiveDict(captured["headers"])
        response._content = body
        response._content_consumed = True
        response.raw = io.BytesIO(body)
        response.url = request.url or ""
        response.request = request
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        return response

    def close(self) -> None:
        pass
