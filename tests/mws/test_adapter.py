"""MwsAdapter: requests' HTTPAdapter with the pool and request target remembered per URL.

Over a real socket (the simulator's server): calls share one kept-alive connection, a pool
the manager closed is replaced rather than reused, and nothing else about a response or a
request changes but the cookie jar that nobody reads.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterator

import pytest
import requests
from urllib3._collections import HTTPHeaderDict
from urllib3.response import HTTPResponse

from django_amazonpay.mws import PaymentsClient
from django_amazonpay.mws.adapter import MEMO_LIMIT, MwsAdapter
from django_amazonpay.sandbox.server import SimulatorServer
from django_amazonpay.sandbox.simulator import Simulator

from .conftest import ACCESS, SECRET, SELLER, make_config

pytestmark = pytest.mark.server


@pytest.fixture
def served() -> Iterator[tuple[Simulator, PaymentsClient]]:
    sim = Simulator(seller_id=SELLER, access_key=ACCESS, secret_key=SECRET, region="jp")
    with SimulatorServer(sim) as server:
        client = PaymentsClient(make_config(endpoint=server.base_url, throttle=False))
        yield sim, client
        client.session.close()


def _adapter(client: PaymentsClient) -> MwsAdapter:
    adapter = client.session.get_adapter(client.url)
    assert isinstance(adapter, MwsAdapter)
    return adapter


def test_calls_share_one_pool_and_one_kept_alive_connection(served) -> None:
    sim, client = served
    oid = sim.create_order_reference()
    for _ in range(5):
        assert client.get_order_reference_details(oid).amazon_order_reference_id == oid

    adapter = _adapter(client)
    assert len(adapter._pools) == 1
    (pool,) = adapter._pools.values()
    assert pool.num_connections == 1  # five requests, one TCP connection
    assert pool.num_requests == 5


def test_a_pool_the_manager_closed_is_replaced_not_reused(served) -> None:
    sim, client = served
    oid = sim.create_order_reference()
    client.get_order_reference_details(oid)
    adapter = _adapter(client)
    (first,) = adapter._pools.values()

    # what urllib3 1.x does to a pool it evicts from the manager's LRU: drops it and closes it
    adapter.poolmanager.clear()
    first.close()

    assert client.get_order_reference_details(oid).amazon_order_reference_id == oid
    (second,) = adapter._pools.values()
    assert second is not first
    assert second.num_requests == 1


def test_requests_carry_only_the_headers_mws_needs() -> None:
    sim = Simulator(seller_id=SELLER, access_key=ACCESS, secret_key=SECRET, region="jp")
    seen: list[dict[str, str]] = []

    def spy(environ, start_response):
        seen.append({k: v for k, v in environ.items() if k.startswith(("HTTP_", "CONTENT_"))})
        return sim.wsgi_app(environ, start_response)

    with SimulatorServer(sim) as server:
        server.httpd.set_app(spy)
        client = PaymentsClient(make_config(endpoint=server.base_url, throttle=False))
        client.get_order_reference_details(sim.create_order_reference())

    (headers,) = seen
    assert headers["HTTP_USER_AGENT"].startswith("django-amazonpay/")
    assert headers["CONTENT_TYPE"] == "application/x-www-form-urlencoded; charset=utf-8"
    assert int(headers["CONTENT_LENGTH"]) > 0
    assert "HTTP_ACCEPT" not in headers
    assert "HTTP_CONNECTION" not in headers


def test_build_response_sets_everything_but_cookies() -> None:
    adapter = MwsAdapter()
    request = requests.Request("POST", "https://mws.amazonservices.jp/x", data=b"a=1").prepare()
    raw = HTTPResponse(
        body=io.BytesIO(b"<x/>"),
        headers=HTTPHeaderDict(
            {"Content-Type": "text/xml; charset=UTF-8", "Set-Cookie": "s=1; Path=/"}
        ),
        status=503,
        reason="Service Unavailable",
        preload_content=False,
    )

    response = adapter.build_response(request, raw)

    assert response.status_code == 503
    assert response.reason == "Service Unavailable"
    assert response.headers["content-type"] == "text/xml; charset=UTF-8"
    assert response.encoding == "UTF-8"
    assert response.url == "https://mws.amazonservices.jp/x"
    assert response.request is request and response.connection is adapter
    assert response.content == b"<x/>"
    assert len(response.cookies) == 0


def test_request_target_is_absolute_through_a_proxy_and_remembered_per_proxy() -> None:
    adapter = MwsAdapter()
    request = requests.Request("POST", "http://mws.amazonservices.jp/Path?q=1").prepare()

    assert adapter.request_url(request, {}) == "/Path?q=1"
    proxied = adapter.request_url(request, {"http": "http://proxy.internal:3128"})
    assert proxied == "http://mws.amazonservices.jp/Path?q=1"
    assert adapter.request_url(request, {}) == "/Path?q=1"
    assert len(adapter._targets) == 2


def test_a_pickled_adapter_starts_without_pools(served) -> None:
    sim, client = served
    client.get_order_reference_details(sim.create_order_reference())
    adapter = _adapter(client)
    assert adapter._pools

    copy = pickle.loads(pickle.dumps(adapter))  # noqa: S301 (our own bytes)

    assert copy._pools == {} and copy._targets == {}
    assert copy.max_retries.total == adapter.max_retries.total


def test_a_session_shared_across_many_urls_does_not_grow_the_memo_without_bound() -> None:
    adapter = MwsAdapter()
    for n in range(MEMO_LIMIT * 3):
        request = requests.Request("POST", f"https://host{n}.example/p").prepare()
        adapter.get_connection_with_tls_context(request, True)
        adapter.request_url(request, {})
    assert 0 < len(adapter._pools) <= MEMO_LIMIT
    assert 0 < len(adapter._targets) <= MEMO_LIMIT
