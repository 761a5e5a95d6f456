"""The transport adapter our sessions mount: requests' own HTTPAdapter (urllib3's pooled,
verified connections, proxies, timeouts) minus per-request work that MWS never needs.

A client talks to one URL for its whole life, yet HTTPAdapter.send() works out the
connection pool, the request target and the cookie jar afresh on every request. Together
that is a few dozen microseconds of every call (bench/client_overhead.py), so the first two
are remembered per (URL, TLS settings, proxies), and the third is skipped: MWS sets no
cookies, and our client never reads a cookie jar.
"""

from __future__ import annotations

from typing import Any

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3.connectionpool import HTTPConnectionPool

#: distinct (URL, TLS settings, proxies) remembered before starting over
MEMO_LIMIT = 32


def _settings_key(
    url: str | bytes | None, verify: Any, cert: Any, proxies: dict[str, str] | None
) -> tuple[Any, ...]:
    # verify and cert are bools, paths or tuples of paths: hashable as they come
    return (url, verify, cert, tuple(sorted(proxies.items())) if proxies else ())


class MwsAdapter(HTTPAdapter):
    """HTTPAdapter that remembers its pool and request target per URL and skips cookies."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pools: dict[tuple[Any, ...], HTTPConnectionPool] = {}
        self._targets: dict[tuple[Any, ...], str] = {}

    def __setstate__(self, state: dict[str, Any]) -> None:  # pickling keeps no pools
        super().__setstate__(state)
        self._pools, self._targets = {}, {}

    def get_connection_with_tls_context(
        self,
        request: PreparedRequest,
        verify: Any,
        proxies: dict[str, str] | None = None,
        cert: Any = None,
    ) -> HTTPConnectionPool:
        key = _settings_key(request.url, verify, cert, proxies)
        pool = self._pools.get(key)
        # a closed pool (its queue is None: closed by hand, or evicted by urllib3 1.x, which
        # closes what it evicts) is never reused: ask the manager again
        if pool is None or pool.pool is None:
            pool = super().get_connection_with_tls_context(request, verify, proxies, cert)
            self._remember(self._pools, key, pool)
        return pool

    def request_url(self, request: PreparedRequest, proxies: dict[str, str] | None) -> str:
        key = _settings_key(request.url, None, None, proxies)
        target = self._targets.get(key)
        if target is None:
            target = super().request_url(request, proxies)
            self._remember(self._targets, key, target)
        return target

    def _remember(self, memo: dict[tuple[Any, ...], Any], key: tuple[Any, ...], value: Any) -> None:
        # A client uses one URL, so one entry; a session shared across many URLs starts
        # over rather than growing (the manager keeps its own LRU of pools regardless).
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        memo[key] = value

    def build_response(self, req: PreparedRequest, resp: Any) -> Response:
        """HTTPAdapter.build_response without copying Set-Cookie headers into a jar."""
        response = Response()
        response.status_code = getattr(resp, "status", None)  # type: ignore[assignment]
        response.headers = CaseInsensitiveDict(getattr(resp, "headers", {}))
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = resp
        response.reason = resp.reason
        response.url = req.url.decode("utf-8") if isinstance(req.url, bytes) else req.url  # type: ignore[assignment]
        response.request = req
        response.connection = self
        return response

    def close(self) -> None:
        self._pools.clear()
        self._targets.clear()
        super().close()
