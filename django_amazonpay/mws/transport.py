"""The one choke point: `BaseClient.call()` throttles, signs, sends, parses, retries, logs and
records every request (STYLE 3). Operation modules only build parameters and pick a parser.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import os
import platform
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from .. import __version__
from ..logs import get_logger
from .adapter import MwsAdapter
from .config import ClientConfig
from .errors import AmazonPayError, MalformedResponse, MwsError, TransportError
from .parsing import Node, load, parse_response
from .redaction import redact_params, redact_tree
from .retry import CallOptions, RetryState
from .signing import common_params, signed_body
from .throttle import ShareExhausted, Throttle, current_share
from .types import CallRecord

T = TypeVar("T")
C = TypeVar("C", bound="BaseClient")

log = get_logger("django_amazonpay.mws")

USER_AGENT = f"django-amazonpay/{__version__} (Python/{platform.python_version()})"
FORM = "application/x-www-form-urlencoded; charset=utf-8"


def new_session(url: str, pool_size: int = 10) -> requests.Session:
    """One pooled session per client: keep-alive connections instead of one per call.

    The environment (HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE) is read once here, not on
    every request: with `trust_env` requests re-scans os.environ and ~/.netrc per call, which
    costs about as much as signing and parsing together (bench/client_overhead.py).
    """
    session = requests.Session()
    adapter = MwsAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    # requests' defaults minus `Accept: */*` and `Connection: keep-alive` (HTTP/1.1 keeps
    # the connection anyway): two header lines fewer to write and for Amazon to read per call
    session.headers = requests.structures.CaseInsensitiveDict(
        {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    )
    session.proxies.update(requests.utils.get_environ_proxies(url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
    return session


def _never_sent(exc: BaseException) -> bool:
    """True when the failure happened before a byte of the request left (no connection)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, (NewConnectionError, ConnectTimeoutError)):
            return True
        stack.extend([getattr(item, "reason", None), item.__cause__, item.__context__])
        stack.extend(a for a in getattr(item, "args", ()) if isinstance(a, BaseException))
    return False


class BaseClient:
    """Shared machinery of PaymentsClient and OrdersClient."""

    version: str = ""

    def __init__(
        self,
        config: ClientConfig,
        *,
        session: requests.Session | None = None,
        cache: Any = None,
        on_call: Callable[[CallRecord], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        throttle_clock: Callable[[], float] = time.time,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.config = config
        self.session = session if session is not None else new_session(self.url)
        self.on_call = on_call
        self.sleep = sleep
        self.clock = clock
        self.rand = rand
        self.options = CallOptions()
        self._template: requests.PreparedRequest | None = None
        self._send_settings: dict[str, Any] = {}
        # spec 2.1 buckets, shared by every process through the cache; wall clock because
        # a monotonic clock means nothing to another host reading the same Redis
        self.throttle: Throttle | None = None
        if config.throttle and cache is not None:
            self.throttle = Throttle(cache, sandbox=config.sandbox, clock=throttle_clock,
                                     sleep=sleep,
                                     reserved_share=config.throttle_reserved_share)  # fmt: skip

    @property
    def url(self) -> str:
        raise NotImplementedError

    def with_options(
        self: C,
        options: CallOptions | None = None,
        *,
        retries: int | None = None,
        max_wait: float | None = None,
    ) -> C:
        """A view of this client (same session, cache, hooks) with per-call overrides.

        `client.with_options(retries=0)` or `max_wait=0` in a web request: nothing sleeps;
        `with_options(NO_WAIT)` is both. What is not given keeps this client's setting, so a
        view of an interactive() client keeps its wait budget.
        """
        given = options or CallOptions()
        view = copy.copy(self)
        view.options = CallOptions(
            retries=_first_set(retries, given.retries, self.options.retries),
            max_wait=_first_set(max_wait, given.max_wait, self.options.max_wait),
        )
        return view

    # -- one attempt --------------------------------------------------------------------------
    def _prepared(self) -> tuple[requests.PreparedRequest, dict[str, Any]]:
        """The request every call shares (body aside), and the session's send settings.

        Session.post() merges headers, cookies, proxies and environment settings on every
        call (about half a millisecond); the URL and headers never change, so that work is
        done once. The session's adapters are still looked up per send, so an adapter
        mounted later (the simulator's in-process transport) is used.
        """
        if self._template is None:
            request = requests.Request("POST", self.url, headers={"Content-Type": FORM})
            self._template = self.session.prepare_request(request)
            # proxies, verify, cert and stream: exactly what an adapter's send() takes
            self._send_settings = self.session.merge_environment_settings(
                self.url, {}, False, None, None
            )
        return self._template, self._send_settings

    def _request(self, body: bytes) -> tuple[requests.PreparedRequest, dict[str, Any]]:
        """The shared template with this call's body, and the send settings; built by hand,
        not PreparedRequest.copy(), which also copies a cookie jar and hooks that an adapter
        never reads."""
        template, settings = self._prepared()
        prepared = requests.PreparedRequest()
        prepared.method, prepared.url = template.method, template.url
        prepared.headers = template.headers.copy()
        prepared.headers["Content-Length"] = str(len(body))
        prepared.body = body
        return prepared, settings

    def _send(self, operation: str, params: dict[str, str]) -> requests.Response:
        config = self.config
        full = common_params(
            action=operation,
            version=self.version,
            access_key=config.access_key,
            seller_id=config.seller_id,
            mws_auth_token=config.mws_auth_token,
        )
        full.update(params)
        body = signed_body("POST", self.url, full, config.secret_key)
        if config.log_wire and log.isEnabledFor(logging.DEBUG):
            log.debug("mws %s request %s", operation, redact_params(full))
        prepared, settings = self._request(body.encode("ascii"))
        try:
            # straight to the adapter mounted for this URL (the pooled one, or a test's):
            # Session.send's redirects, hooks and cookie jar have nothing to do for MWS
            adapter = self.session.get_adapter(prepared.url)
            response = adapter.send(
                prepared, timeout=(config.connect_timeout, config.read_timeout), **settings
            )
            response.content  # noqa: B018  (read now: a reset mid-body is a transport error)
            return response
        except requests.RequestException as exc:
            sent = not _never_sent(exc)
            kind = type(exc).__name__
            raise TransportError(
                f"{operation}: {kind} ({'may have arrived' if sent else 'never sent'})",
                operation=operation,
                sent=sent,
            ) from exc

    def _wait_for_token(self, operation: str, state: RetryState) -> None:
        if self.throttle is None or (self.throttle.unlimited and self.throttle.unlimited()):
            return
        budget = state.remaining_budget()
        limit = self.config.throttle_max_wait
        limit = limit if budget is None else min(limit, budget)
        waited = self.throttle.acquire(
            self.config.seller_id, operation, limit, share=current_share()
        )
        state.spend(waited)

    # -- the funnel ---------------------------------------------------------------------------
    def call(
        self,
        operation: str,
        params: dict[str, str],
        build: Callable[[Node], T],
        *,
        object_id: str | None = None,
        resolve: Callable[[MwsError], T | None] | None = None,
    ) -> T:
        """Send `operation` until it succeeds or a failure may not be retried.

        `resolve` is asked about an MwsError answering a *repeat* (attempt 2+): the first
        attempt may have been processed, so e.g. DuplicateReference means "it exists, fetch
        it" (spec 3.9). It returns the result to use, or None to raise the error.
        """
        state = RetryState(self.config.retry, self.options, sleep=self.sleep, rand=self.rand)
        started = self.clock()
        status: int | None = None
        request_id: str | None = None
        # "exception" stays only if something other than an AmazonPayError escapes
        outcome, code = "exception", None
        try:
            while True:
                state.attempt += 1
                try:
                    self._wait_for_token(operation, state)
                except ShareExhausted as exc:  # not sent: no token within the budget
                    outcome, code, state.attempt = "throttled", exc.code, state.attempt - 1
                    raise
                attempt_started = self.clock()
                status, request_id = None, None
                try:
                    response = self._send(operation, params)
                    status = response.status_code
                    body = response.content
                    if self.config.log_wire and log.isEnabledFor(logging.DEBUG):
                        self._dump(operation, body)
                    result, request_id = parse_response(operation, status, body, build)
                    self._log(operation, state.attempt, attempt_started, status, request_id)
                    if dataclasses.is_dataclass(result) and hasattr(result, "request_id"):
                        result = dataclasses.replace(result, request_id=request_id)  # type: ignore[type-var]
                    outcome, code = "ok", None
                    return result
                except AmazonPayError as exc:
                    outcome, code, request_id = _describe(exc)
                    self._log(operation, state.attempt, attempt_started, status, request_id,
                              outcome, code)  # fmt: skip
                    if isinstance(exc, MwsError) and state.attempt > 1 and resolve is not None:
                        resolved = resolve(exc)
                        if resolved is not None:
                            # the answer is the lookup's (its own record); this call's last
                            # status and request id belong to the refused repeat
                            outcome, code, status, request_id = "resolved", exc.code, None, None
                            return resolved
                    pause = state.next_pause(exc)
                    if pause is None:
                        raise
                    state.pause(pause)
        finally:
            if self.on_call is not None:
                self._report(
                    CallRecord(
                        operation=operation,
                        object_id=object_id,
                        duration=self.clock() - started,
                        attempts=state.attempt,
                        http_status=status,
                        outcome=outcome,
                        error_code=code,
                        request_id=request_id,
                    )
                )

    def _report(self, record: CallRecord) -> None:
        """Hand the record to on_call; a failing hook is logged, never the call's outcome."""
        try:
            self.on_call(record)  # type: ignore[misc]
        except Exception:
            log.exception("mws %s: the on_call hook failed", record.operation)

    def _log(
        self,
        operation: str,
        attempt: int,
        started: float,
        status: int | None,
        request_id: str | None,
        outcome: str = "ok",
        code: str | None = None,
    ) -> None:
        if not log.isEnabledFor(logging.DEBUG):
            return
        log.debug(
            "mws %s attempt=%d status=%s duration=%.3fs request_id=%s outcome=%s%s",
            operation, attempt, status, self.clock() - started, request_id, outcome,
            f" code={code}" if code else "",
        )  # fmt: skip

    def _dump(self, operation: str, body: bytes) -> None:
        try:
            log.debug("mws %s response %s", operation, redact_tree(load(body)))
        except Exception:  # a body we cannot parse is never dumped raw
            log.debug("mws %s response (not XML, %d bytes, not shown)", operation, len(body))


def _first_set(*values: Any) -> Any:
    """The first value that is not None (None when all are)."""
    return next((value for value in values if value is not None), None)


def _describe(exc: AmazonPayError) -> tuple[str, str | None, str | None]:
    """(outcome, error code, request id) of a failed attempt, for logs and CallRecord."""
    if isinstance(exc, MwsError):
        return "error", exc.code, exc.request_id
    if isinstance(exc, TransportError):
        return "transport", None, None
    if isinstance(exc, MalformedResponse):
        return "malformed", None, None
    return "error", None, None
