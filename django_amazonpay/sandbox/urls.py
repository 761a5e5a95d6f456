"""Mount the simulator in a Django project: a thin view in front of `simulator.wsgi_app`.

    # urls.py of the project (development only)
    if settings.DEBUG:
        urlpatterns += [path("amazonpay-sandbox/", include("django_amazonpay.sandbox.urls"))]

With DEBUG off it answers 404 to everything unless AMAZON_PAY["SIMULATOR_EXPOSED"] is True
(exposure.py), and `manage.py check` reports the mount as an error. Its control routes answer
staff users only (access.py).

The client then uses e.g. http://localhost:8000/amazonpay-sandbox as its endpoint base: the
signed path is the full path it used, prefix included, because the view passes the prefix to
the app as SCRIPT_NAME (spec 1.4: the server checks the path as received).

Or with an explicit simulator: `path("sim/", include(simulator_urls(my_simulator)))`.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt

from .access import CONTROL_GRANTED, CONTROL_REFUSED
from .exposure import simulator_exposed
from .inbound import BODY_LIMIT, BODY_PROBLEM, MAX_BODY_BYTES
from .lifecycle import EngineSettings
from .simulator import Simulator
from .wsgi import ConnectionDropped

_default: Simulator | None = None
_default_lock = threading.Lock()


def default_simulator() -> Simulator:
    """One Simulator per process built from settings.AMAZON_PAY (SELLER_ID, ACCESS_KEY,
    SECRET_KEY, REGION, THROTTLE).

    Its state lives in memory only, so every process start (each runserver reload) begins
    empty: its ids come from a random seed, never the fixed test seed, so it does not hand out
    an order reference id the shop's database already holds from an earlier run.
    """
    global _default
    with _default_lock:
        if _default is None:
            from django.conf import settings

            conf = getattr(settings, "AMAZON_PAY", {}) or {}
            _default = Simulator(
                seller_id=conf["SELLER_ID"],
                access_key=conf["ACCESS_KEY"],
                secret_key=conf["SECRET_KEY"],
                region=conf.get("REGION", "jp"),
                throttle=bool(conf.get("THROTTLE", False)),
                engine_settings=EngineSettings(id_seed=None),
            )
        return _default


def simulator_view(simulator: Simulator | Callable[[], Simulator]) -> Callable:
    """A Django view forwarding the request to the simulator's WSGI app.

    404 for everything unless the simulator is exposed (exposure.py: DEBUG, or the explicit
    setting). The MWS wire is exempt from CSRF (server-to-server, signed); the control routes
    are for staff whose unsafe requests pass Django's CSRF check (access.py).
    """

    @csrf_exempt
    def view(request: HttpRequest, rest: str = "") -> HttpResponse:
        if not simulator_exposed():
            return HttpResponseNotFound()
        sim = simulator if isinstance(simulator, Simulator) else simulator()
        path_info = "/" + rest
        full = request.path
        script = full[: len(full) - len(path_info)] if full.endswith(path_info) else ""
        environ = dict(request.META)
        body = _body(request, environ)
        environ.update(
            {
                "SCRIPT_NAME": script,
                "PATH_INFO": path_info,
                "wsgi.input": io.BytesIO(body),
                "CONTENT_LENGTH": str(len(body)),
                # a body refused unread is answered before any route: no CSRF check (which
                # would read a form body) for it
                CONTROL_GRANTED: BODY_PROBLEM not in environ and _staff_request(request, environ),
            }
        )
        if sim.base_url.endswith(".invalid"):
            # IPN certificate URL and buyer links should point at this mount.
            sim.base_url = request.build_absolute_uri(script or "/").rstrip("/")
        captured: dict = {}

        def start_response(status: str, headers: list, exc_info: object = None) -> Callable:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        try:
            content = b"".join(sim.wsgi_app(environ, start_response))
        except ConnectionDropped:
            # Django cannot drop its connection: answer an empty 502 so the client fails as it
            # would on a network error (use the standalone server for a real reset).
            return HttpResponse(status=502)
        response = HttpResponse(content, status=int(captured["status"].split(" ", 1)[0]))
        for name, value in captured["headers"]:
            if name.lower() != "content-length":
                response[name] = value
        return response

    return view


def body_limit() -> int:
    """What the mount reads at most: the simulator's own limit, or Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE when that is lower (None there: no limit of Django's)."""
    from django.conf import settings

    django_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return MAX_BODY_BYTES if django_limit is None else min(django_limit, MAX_BODY_BYTES)


def _body(request: HttpRequest, environ: dict) -> bytes:
    """The body, or b"" with the reason in the environ for the app to answer in its shape.

    Checked on the request's own headers before anything is read: Django reads nothing of a
    body without a Content-Length (a chunked one) and treats a length that is not a number
    as 0, so both would reach the simulator as an empty body otherwise.
    """
    raw = str(request.META.get("CONTENT_LENGTH") or "").strip()
    limit = body_limit()
    if not raw and request.META.get("HTTP_TRANSFER_ENCODING"):
        environ[BODY_PROBLEM] = "chunked"
    elif raw and not (raw.isascii() and raw.isdigit()):
        environ[BODY_PROBLEM] = "bad_length"
    elif raw and int(raw) > limit:
        environ[BODY_PROBLEM], environ[BODY_LIMIT] = "too_large", limit
    else:
        try:
            return request.body
        except RequestDataTooBig:  # a limit Django applied that body_limit() did not know
            environ[BODY_PROBLEM], environ[BODY_LIMIT] = "too_large", limit
        except (UnreadablePostError, OSError):
            environ[BODY_PROBLEM] = "unreadable"
    return b""


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> str:  # type: ignore[override]
        return reason  # a refusal is the control route's 403, not Django's HTML page


def _staff_request(request: HttpRequest, environ: dict) -> bool:
    """An active staff user's request that passed Django's CSRF check (safe methods pass).
    A staff request that failed it is refused with Django's reason (CONTROL_REFUSED)."""
    user = getattr(request, "user", None)
    if not (user is not None and user.is_active and user.is_staff):
        return False
    check = _CsrfCheck(lambda req: HttpResponse())
    try:
        check.process_request(request)
        reason = check.process_view(request, None, (), {})
    except (SuspiciousOperation, MultiPartParserError, UnreadablePostError, OSError):
        reason = "the form body could not be read for its csrfmiddlewaretoken"
    if reason is None:
        return True
    environ[CONTROL_REFUSED] = (
        f"this staff user's {request.method} failed Django's CSRF check ({reason}): send the "
        "csrftoken cookie's value in the X-CSRFToken header or the csrfmiddlewaretoken field"
    )
    return False


def simulator_urls(simulator: Simulator | Callable[[], Simulator]) -> list[URLPattern]:
    """URL patterns that hand everything below the include() prefix to `simulator`."""
    # (?s): a path with a line break in it is still the simulator's to refuse (400)
    pattern = r"^(?P<rest>(?s:.*))$"
    return [re_path(pattern, simulator_view(simulator), name="amazonpay-simulator")]


app_name = "amazonpay_sandbox"
urlpatterns = simulator_urls(default_simulator)
