"""Nothing secret or personal reaches a log (django_amazonpay/docs/security.md).

Every logger (the root, django_amazonpay.*, the simulator, requests/urllib3, django.request,
and django.server: the access log of a real server) is captured at DEBUG with the client's wire
dump switched on, through a whole checkout with its faults and declines; the text of every
record (message, arguments, traceback, the request it carries) is searched for the secret key,
every Signature sent, the buyer's access token, name, email, phone and address lines. The last
test serves a storefront on a socket and plays the browser through the simulator's buyer pages:
no URL it requests carries the token either.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus, urldefrag, urljoin, urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.core.servers.basehttp import WSGIRequestHandler
from django.test.testcases import LiveServerThread

from django_amazonpay import services
from django_amazonpay.client import get_client, reset_clients
from django_amazonpay.mws import transport
from django_amazonpay.services import ItemSnapshot
from tests.services import conftest as service_fixtures

pytestmark = pytest.mark.django_db

sim = service_fixtures.sim
_fresh_client = service_fixtures._fresh_client

ACCESS_TOKEN = "Atza|IwEBIUniqueAccessToken-4711-zz"
BUYER = {"Name": "秘密花子", "Email": "hanako.secret@example.jp"}
ADDRESS = {
    "Name": "秘密花子",
    "AddressLine1": "港区六本木9-9-9",
    "AddressLine2": "シークレットタワー42階",
    "StateOrRegion": "東京都",
    "PostalCode": "1066199",
    "CountryCode": "JP",
    "Phone": "090-9876-5432",
}


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []
        self.names: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.names.add(record.name)
        text = self.format(record)
        request = getattr(record, "request", None)  # django.request's: its path and query
        if request is not None:
            text += f" {request!r} {getattr(request, 'META', {}).get('QUERY_STRING', '')}"
        self.lines.append(text)


@pytest.fixture
def all_logs() -> Iterator[Collect]:
    """Every logger at DEBUG, enabled, feeding one handler (also the non-propagating ones)."""
    handler = Collect()
    root = logging.getLogger()
    saved: list[tuple[logging.Logger, int, bool]] = []
    for name in list(logging.root.manager.loggerDict):
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.disabled))
        logger.setLevel(logging.NOTSET)
        logger.disabled = False
        if not logger.propagate:
            logger.addHandler(handler)
    root_level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(root_level)
        for logger, level, disabled in saved:
            logger.setLevel(level)
            logger.disabled = disabled
            logger.removeHandler(handler)


SIGNATURES: set[str] = set()


@pytest.fixture(autouse=True)
def record_signatures(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """Every Signature the client computes, whatever the transport."""
    original = transport.signed_body

    def signed_body(*args: Any, **kwargs: Any) -> str:
        body = original(*args, **kwargs)
        SIGNATURES.update(parse_qs(body).get("Signature", []))
        return body

    monkeypatch.setattr(transport, "signed_body", signed_body)
    SIGNATURES.clear()
    yield SIGNATURES


def dump_the_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client's opt-in wire dump on, backoff not slept: the most a log can ever see."""
    client = get_client()
    monkeypatch.setattr(client, "config", dataclasses.replace(client.config, log_wire=True))
    monkeypatch.setattr(client, "sleep", lambda seconds: None)


@pytest.fixture
def wire_dump(sim: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    dump_the_wire(monkeypatch)


def forbidden(sim: Any, token: str = ACCESS_TOKEN) -> dict[str, str]:
    secret = django_settings.AMAZON_PAY["SECRET_KEY"]
    values = {
        "secret key": secret,
        "secret key (url-encoded)": quote(secret, safe=""),
        "access token": token,
        "access token (url-encoded)": quote(token, safe=""),
        "access token (form-encoded)": quote_plus(token),
        "buyer name": BUYER["Name"],
        "buyer email": BUYER["Email"],
        "phone": ADDRESS["Phone"],
        "address line 1": ADDRESS["AddressLine1"],
        "address line 2": ADDRESS["AddressLine2"],
    }
    for n, signature in enumerate(sorted(SIGNATURES)):
        values[f"signature {n}"] = signature
        values[f"signature {n} (url-encoded)"] = quote(signature, safe="")
    return values


def assert_clean(logs: Collect, sim: Any, token: str = ACCESS_TOKEN) -> None:
    values = forbidden(sim, token)
    assert any(k.startswith("signature") for k in values), "no signed request was seen"
    text = "\n".join(logs.lines)
    leaks = [f"{what}: {value!r}" for what, value in values.items() if value in text]
    assert not leaks, leaks


def full_checkout(sim: Any) -> None:
    """Every use case once, with faults and a refused call on the way."""
    oid = sim.create_order_reference(buyer=BUYER, address=ADDRESS)
    oro = services.start_checkout(oid, access_token=ACCESS_TOKEN)
    sim.faults.inject("SetOrderReferenceDetails", "http_500")
    oro = services.set_order_details(
        oro,
        items=[ItemSnapshot(title="秘密のTシャツ 🎁", unit_price=Decimal("3000"), quantity=2)],
        shipping_fee=500,
        seller_order_id="LOG-0001",
        seller_note="配達は午前中に 🙏",
    )
    oro = services.confirm(oro)
    sim.faults.inject("Authorize", "lost_response")
    auth = services.authorize(oro, synchronous=True, seller_note="秘密").authorization
    sim.faults.inject("Capture", "malformed")
    cap = services.capture(auth).capture
    cap = services.capture(auth).capture  # reconciles the malformed answer
    sim.faults.inject("Refund", "reset")
    services.refund(cap, amount=1000, seller_note="返品 🙇")
    services.refresh(oro)
    with pytest.raises(services.ServiceError):
        services.cancel_order(oro)  # refused: captured already
    services.close_order(oro, reason="終了")
    # a second buyer whose payment method is declined
    declined = sim.create_order_reference(buyer=BUYER, address=ADDRESS)
    oro2 = services.start_checkout(declined, access_token=ACCESS_TOKEN)
    oro2 = services.set_order_details(
        oro2,
        items=[ItemSnapshot(title="x", unit_price=Decimal("1000"))],
        shipping_fee=0,
        seller_order_id="LOG-0002",
    )
    oro2 = services.confirm(oro2)
    services.authorize(oro2, synchronous=True, seller_note='{"SandboxSimulation": '
                       '{"State":"Declined", "ReasonCode":"InvalidPaymentMethod"}}')  # fmt: skip
    # a wrong order reference id and an access token Amazon refuses
    with pytest.raises(services.ServiceError):
        services.start_checkout("S03-0000000-0000000", access_token=ACCESS_TOKEN)


def test_full_checkout_through_the_services_logs_no_secret(all_logs, wire_dump, sim) -> None:
    full_checkout(sim)
    assert len(all_logs.lines) > 50, "the wire dump should have produced many records"
    assert any(name.startswith("django_amazonpay.mws") for name in all_logs.names)
    assert_clean(all_logs, sim)


@pytest.mark.server
def test_full_checkout_over_a_socket_logs_no_secret(
    all_logs, sim, amazon_pay_simulator_server, settings, monkeypatch
) -> None:
    """The simulator's server and urllib3 log too when the wire is a real socket."""
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "ENDPOINT": amazon_pay_simulator_server}
    reset_clients()
    dump_the_wire(monkeypatch)
    full_checkout(sim)
    assert any(name.startswith("urllib3") for name in all_logs.names), all_logs.names
    assert_clean(all_logs, sim)


def test_the_capture_catches_a_planted_leak(all_logs, wire_dump, sim) -> None:
    """The search is not vacuous: a logged access token is found."""
    full_checkout(sim)
    logging.getLogger("django_amazonpay.test").debug("token %s", ACCESS_TOKEN)
    with pytest.raises(AssertionError, match="access token"):
        assert_clean(all_logs, sim)


@pytest.fixture
def api(settings: Any, sim: Any) -> Any:
    from django.core.cache import cache

    from django_amazonpay.testing import mount_simulator

    cache.clear()
    settings.ROOT_URLCONF = "tests.api.urls"
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "ORDER_RESOLVER": "tests.api.resolver.resolve"}
    mount_simulator(sim)
    return sim


def test_full_checkout_through_the_api_logs_no_secret(all_logs, api, monkeypatch) -> None:
    """The buyer's token arrives in a request body; refused requests are logged by Django."""
    from rest_framework.test import APIClient

    dump_the_wire(monkeypatch)
    client = APIClient()
    base = "/amazon-pay/api/checkouts/"
    oid = api.create_order_reference(buyer=BUYER, address=ADDRESS)
    body = {"amazon_order_reference_id": oid, "access_token": ACCESS_TOKEN}
    assert client.post(base, body, format="json").status_code == 201
    assert client.get(f"{base}{oid}/").status_code == 200
    assert client.post(f"{base}{oid}/order/", {"order_id": "A-1"}, format="json").status_code == 200
    assert client.post(f"{base}{oid}/confirm/").status_code == 200
    assert client.get(f"{base}{oid}/payment/").status_code == 200
    # refused requests: another buyer, a bad token, garbage
    other = APIClient()
    assert other.get(f"{base}{oid}/").status_code == 404
    bad = {"amazon_order_reference_id": "S03-0000000-0000000", "access_token": ACCESS_TOKEN}
    assert other.post(base, bad, format="json").status_code >= 400
    assert (
        other.post(base, "{not json " + ACCESS_TOKEN, content_type="application/json").status_code
        == 400
    )
    declined = api.create_order_reference(buyer=BUYER, address=ADDRESS, payment_method="")
    body = {"amazon_order_reference_id": declined, "access_token": ACCESS_TOKEN}
    client.post(base, body, format="json")
    client.post(f"{base}{declined}/order/", {"order_id": "A-1"}, format="json")
    assert client.post(f"{base}{declined}/confirm/").status_code >= 400
    assert any(name.startswith("django_amazonpay.mws") for name in all_logs.names)
    assert_clean(all_logs, api)


# -- a storefront on a socket, the browser played through the simulator's buyer pages ------------


class LoggingLiveServerThread(LiveServerThread):
    """Django's live server with runserver's request handler: every request is logged to
    django.server, as `manage.py runserver` (the demo) logs it."""

    def _create_server(self, connections_override: Any = None) -> Any:
        return self.server_class(
            (self.host, self.port),
            WSGIRequestHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )


@pytest.fixture
def storefront(
    settings: Any, amazon_pay_simulator: Any, amazon_pay_simulator_exposed: None, monkeypatch: Any
) -> Iterator[tuple[str, Any]]:
    """tests/security/urls_storefront.py on 127.0.0.1: the checkout page, the API and the
    simulator on one site; the app's MWS calls go to the simulator over that socket too."""
    from django.core.cache import cache
    from django.db import connections
    from django.test.testcases import _StaticFilesHandler

    from django_amazonpay.sandbox import buyer
    from django_amazonpay.testing import unmount_simulator
    from tests.security import urls_storefront

    monkeypatch.setitem(buyer.BUYERS, "jp", [BUYER])
    monkeypatch.setitem(buyer.ADDRESSES, "jp", [ADDRESS])
    shared = {}
    for conn in connections.all():
        if conn.vendor == "sqlite" and conn.is_in_memory_db():
            shared[conn.alias] = conn  # the server's threads see the test's database
            conn.inc_thread_sharing()
    thread = LoggingLiveServerThread("127.0.0.1", _StaticFilesHandler, connections_override=shared)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    url = f"http://127.0.0.1:{thread.port}"
    urls_storefront.CURRENT["sim"] = amazon_pay_simulator
    settings.ROOT_URLCONF = "tests.security.urls_storefront"
    settings.AMAZON_PAY = {
        **settings.AMAZON_PAY,
        "ENDPOINT": url + "/amazonpay-sandbox",
        "ORDER_RESOLVER": "tests.api.resolver.resolve",
    }
    unmount_simulator(amazon_pay_simulator)  # no in-process shortcut: HTTP all the way
    cache.clear()
    try:
        yield url, amazon_pay_simulator
    finally:
        reset_clients()  # closes their kept-alive connections: the server's threads end
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()
        urls_storefront.CURRENT.clear()


def _link(page: requests.Response, pattern: str) -> str:
    return urljoin(page.url, html.unescape(re.search(pattern, page.text).group(1)))


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_checkout_on_a_real_server_keeps_the_token_out_of_every_log_and_url(
    all_logs, storefront
) -> None:
    from django_amazonpay.models import OrderReference

    url, sim = storefront
    with requests.Session() as browser:
        visited, token, oro_id = _checkout(url, browser)
    oro = OrderReference.objects.get(amazon_order_reference_id=oro_id)
    assert oro.buyer_name == BUYER["Name"]  # Amazon showed the buyer: the token did its work
    access_log = [line for line in all_logs.lines if line.startswith("django.server")]
    mws = "POST /amazonpay-sandbox/OffAmazonPayments_Sandbox/2013-01-01"  # over the socket too
    for request_line in ("GET /checkout/", "POST /amazonpay-sandbox/sandbox/buyer/wallet",
                         f"POST /amazon-pay/api/checkouts/{oro_id}/confirm/", mws):  # fmt: skip
        assert any(request_line in line for line in access_log), request_line
    assert_clean(all_logs, sim, token)
    for address in visited:
        assert token not in address and quote(token, safe="") not in address, address
        assert quote_plus(token) not in address, address
    assert not any("#" in address for address in visited)


def _checkout(url: str, browser: requests.Session) -> tuple[list[str], str, str]:
    """The buyer's checkout as the page's script drives it: the URLs requested, the token,
    the order reference id."""
    visited: list[str] = []
    browser.hooks["response"].append(lambda r, *args, **kwargs: visited.append(r.request.url))
    page = browser.get(url + "/checkout/", timeout=10)
    sign_in = _link(page, r'href="([^"]*/sandbox/buyer/sign-in[^"]*)"')
    assert parse_qs(urlsplit(sign_in).query)["return_url"] == ["/checkout/"]  # same-site path
    page = browser.get(sign_in, timeout=10)
    page = browser.get(_link(page, r'href="(address\?[^"]+)"'), timeout=10)
    page = browser.get(_link(page, r'href="(wallet\?[^"]+)"'), timeout=10)
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
    form = {name: html.unescape(value) for name, value in hidden}
    done = browser.post(page.url.split("?")[0], data={**form, "payment_method": "visa-1111"},
                        allow_redirects=False, timeout=10)  # fmt: skip
    assert done.status_code == 302
    back, fragment = urldefrag(urljoin(done.url, done.headers["Location"]))
    browser.get(back, timeout=10)  # what a browser requests: the fragment stays in the page
    handed = parse_qs(fragment)
    token, oro_id = handed["access_token"][0], handed["amazon_order_reference_id"][0]
    assert token.startswith("Atza|")
    # the page's script posts the token in the body, as docs/widgets.md shows
    api = url + "/amazon-pay/api/checkouts/"
    headers = {"X-CSRFToken": browser.cookies["csrftoken"], "Referer": url + "/checkout/"}
    body = {"amazon_order_reference_id": oro_id, "access_token": token}

    def post(path: str, data: Any = None, key: str = "") -> requests.Response:
        return browser.post(api + path, json=data, timeout=30,
                            headers={**headers, "Idempotency-Key": key or path})  # fmt: skip

    assert post("", body, "start").status_code == 201
    assert post(f"{oro_id}/order/", {"order_id": "A-1"}).status_code == 200
    confirmed = post(f"{oro_id}/confirm/")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["next_action"] == "complete"
    assert browser.get(api + f"{oro_id}/payment/", timeout=10).status_code == 200
    # refused on the way: someone else's session, garbage with the token in it
    stranger = requests.post(api, json=body, timeout=10)
    assert stranger.status_code >= 400
    garbage = browser.post(api, data="{not json " + token, timeout=10,
                           headers={**headers, "Content-Type": "application/json"})  # fmt: skip
    assert garbage.status_code == 400
    return visited, token, oro_id


# -- text from outside never starts a line of its own in a log -----------------------------------

#: what an attacker appends after a line break: a line that reads like one of our records
FORGED = "FORGED-RECORD 2026-12-02 06:54:42,087 django_amazonpay.ipn INFO IPN #999 valid"
#: line breaks as str.splitlines() knows them (a log reader or shipper may split at any)
LINE_BREAKS = ("\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x1c")
HOSTILE_SITE: dict = {}


def raising_resolver(request: Any, order_id: str) -> Any:
    """A shop's ORDER_RESOLVER that fails, its exception quoting what the request said."""
    raise RuntimeError(f"no order {order_id} for cart {request.headers.get('X-Cart')}")


def _urlpatterns() -> list:
    from django.urls import include, path

    from django_amazonpay.sandbox.urls import simulator_urls

    return [
        path("amazon-pay/api/", include("django_amazonpay.api.urls")),
        path("amazon-pay/", include("django_amazonpay.ipn.urls")),
        path("sim/", include(simulator_urls(lambda: HOSTILE_SITE["sim"]))),
    ]


urlpatterns = _urlpatterns()


def forged_lines(logs: Collect) -> list[str]:
    """Records in which a line starts with the forged text: a line break came from input."""
    return [
        text for text in logs.lines if any(line.startswith(FORGED) for line in text.splitlines())
    ]


@pytest.fixture
def hostile_site(
    api: Any, settings: Any, amazon_pay_simulator_exposed: None, amazon_pay_simulator_credentials
) -> Iterator[Any]:
    """The API, the IPN endpoint and a simulator's Django mount on one site, no rate limits
    (every request here is refused on purpose), notifications followed in the request. The
    mount serves a simulator of its own: a mount points the IPN certificate URL at itself."""
    from django_amazonpay.ipn.sns import forget_certificates
    from django_amazonpay.sandbox.simulator import Simulator
    from tests.celery_app import app as celery_app

    settings.ROOT_URLCONF = __name__
    rates = ("API_READ_RATE", "API_WRITE_RATE", "API_ADDRESS_WRITE_RATE", "API_START_RATE",
             "API_AMAZON_READ_RATE", "IPN_REJECTED_RATE")  # fmt: skip
    off = dict.fromkeys(rates)
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, **off, "IPN_TRUST_SIMULATOR": True}
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    HOSTILE_SITE["sim"] = Simulator(**amazon_pay_simulator_credentials)
    forget_certificates()
    yield api
    celery_app.conf.task_always_eager = eager
    HOSTILE_SITE.clear()
    forget_certificates()


def _ipn(sim: Any, brk: str) -> None:
    """The endpoint's checks quote the topic, the certificate URL, the SellerId; an unknown
    NotificationType of a valid notification is logged when it is followed."""
    import json

    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    hostile = "x" + brk + FORGED

    def send(envelope: dict[str, Any], status: int) -> None:
        response = client.post("/amazon-pay/ipn/", json.dumps(envelope).encode(),
                               content_type="text/plain")  # fmt: skip
        assert response.status_code == status, response.content
        if status != 200:  # the answer quotes the value on one line too
            description = json.loads(response.content)["error_description"]
            assert not any(line.startswith(FORGED) for line in description.splitlines())

    def message(**fields: Any) -> dict[str, Any]:
        envelope = sim.ipn.build_notification("SomethingNew", "<X/>", sign=False)
        envelope["Message"] = json.dumps({**json.loads(envelope["Message"]), **fields})
        return sim.ipn.sign(envelope)

    send({**message(), "TopicArn": hostile}, 403)
    send({**message(), "SigningCertURL": "https://sns.us-east-1.amazonaws.com/" + hostile}, 400)
    send(message(SellerId=hostile), 403)
    send(message(NotificationType=hostile), 200)
    send({**message(), "Type": hostile}, 400)
    response = client.get("/amazon-pay/ipn/" + quote(hostile))
    assert response.status_code == 404


def _api(sim: Any, brk: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids in paths and bodies, the Idempotency-Key, the order id a resolver quotes in its
    exception, and an Amazon error message with a line break of its own."""
    from rest_framework.test import APIClient

    from django_amazonpay.sandbox import responses
    from django_amazonpay.sandbox.errors import SimulatorError

    client = APIClient(enforce_csrf_checks=False)
    base = "/amazon-pay/api/checkouts/"
    hostile = "S01-0000000-0000000" + brk + FORGED
    client.get(base + quote(hostile) + "/")
    client.post(base + quote(hostile) + "/confirm/")
    token = "Atza|x" + brk + FORGED
    client.post(base, {"amazon_order_reference_id": hostile, "access_token": token}, format="json")
    client.post(base, {"amazon_order_reference_id": "x"}, format="json",
                headers={"Idempotency-Key": "k" + brk + FORGED})  # fmt: skip
    client.post(base, "{" + brk + FORGED, content_type="application/json")
    oid = sim.create_order_reference(buyer=BUYER, address=ADDRESS)
    with monkeypatch.context() as patch:
        # Amazon's own message with a line break: the simulator escapes its messages, so it
        # plays an Amazon that does not
        patch.setattr(responses, "escape_controls", lambda text: text)

        def failing(*args: Any, **kwargs: Any) -> str:
            raise SimulatorError("InternalError", "We failed" + brk + FORGED, 500, "Receiver")

        patch.setattr(sim.engine, "handle", failing)
        failed = client.post(base, {"amazon_order_reference_id": oid, "access_token": ACCESS_TOKEN},
                             format="json")  # fmt: skip
        assert failed.status_code == 503, failed.content
    started = client.post(base, {"amazon_order_reference_id": oid, "access_token": ACCESS_TOKEN},
                          format="json")  # fmt: skip
    assert started.status_code == 201, started.content
    settings.AMAZON_PAY = {**settings.AMAZON_PAY,
                           "ORDER_RESOLVER": f"{__name__}.raising_resolver"}  # fmt: skip
    refused = client.post(f"{base}{oid}/order/", {"order_id": "A" + brk + FORGED}, format="json")
    assert refused.status_code == 400  # the API's own pattern
    broken = client.post(f"{base}{oid}/order/", {"order_id": "A-1"}, format="json",
                         headers={"X-Cart": "c" + brk + FORGED})  # fmt: skip
    assert broken.status_code == 500  # the shop's resolver failed: logged with its traceback
    client.post(f"{base}{oid}/cancel/", {"reason": "r" + brk + FORGED}, format="json")


def _simulator(brk: str, admin_user: Any) -> None:
    """Its Django mount (paths, JSON bodies of control routes, buyer pages' queries)."""
    import json

    from django.test import Client

    sim = HOSTILE_SITE["sim"]

    staff = Client()
    staff.force_login(admin_user)
    hostile = "x" + brk + FORGED
    staff.get("/sim/sandbox/objects/" + quote(hostile))
    staff.get("/sim/sandbox/" + quote(hostile))
    staff.get("/sim/OffAmazonPayments_Sandbox/2013-01-01/" + quote(hostile))
    staff.post("/sim/sandbox/faults", json.dumps({"action": hostile, "kind": "http_500"}),
               content_type="application/json")  # fmt: skip
    staff.post("/sim/sandbox/state", "{" + hostile, content_type="application/json")
    staff.get("/sim/sandbox/buyer/sign-in", {"return_url": "/" + hostile})
    assert sim.faults.pending() == []


def _standalone_server(credentials: dict[str, str]) -> None:
    """Its socket: the request line reaches the server's log, byte for byte."""
    import socket

    from django_amazonpay.sandbox.server import SimulatorServer
    from django_amazonpay.sandbox.simulator import Simulator

    with SimulatorServer(Simulator(**credentials)) as server:
        for brk in ("\x0b", "\x0c", "\x1c", "\x85"):
            for line in (f"GET /sandbox/x{brk}{FORGED} HTTP/1.1",
                         f"GET /sandbox/{brk}{FORGED}/ HTTP/1.1"):  # fmt: skip
                with socket.create_connection((server.host, server.port), timeout=10) as sock:
                    sock.sendall(
                        line.encode("latin-1") + b"\r\nHost: x\r\nConnection: close\r\n\r\n"
                    )
                    while sock.recv(65536):
                        pass


@pytest.mark.server
def test_no_input_starts_a_log_line_of_its_own(
    all_logs, hostile_site, settings, monkeypatch, admin_user, amazon_pay_simulator_credentials
) -> None:
    """Line breaks (CR, LF, U+2028 and the others str.splitlines() knows) sent through the IPN
    endpoint, the API and the simulator, and in Amazon's own answer, reach no log record
    raw: every logger at DEBUG, the wire dump on, exceptions' tracebacks included."""
    sim = hostile_site
    dump_the_wire(monkeypatch)
    for brk in LINE_BREAKS:
        _ipn(sim, brk)
        _api(sim, brk, settings, monkeypatch)
        settings.AMAZON_PAY = {
            **settings.AMAZON_PAY,
            "ORDER_RESOLVER": "tests.api.resolver.resolve",
        }
        _simulator(brk, admin_user)
    _standalone_server(amazon_pay_simulator_credentials)
    text = "\n".join(all_logs.lines)
    # the hostile text did reach the logs, escaped: from the IPN checks, the API's traceback
    # of the resolver's exception, Amazon's answer, and the standalone server's request lines
    for logger in ("django_amazonpay.ipn", "django_amazonpay.api", "django_amazonpay.sandbox"):
        assert any(line.startswith(logger) and FORGED in line for line in all_logs.lines), logger
    assert "RuntimeError: no order A-1 for cart c" in text and "We failed" in text
    assert forged_lines(all_logs) == []


def test_the_search_finds_a_line_break_that_slipped_through(all_logs) -> None:
    """Not vacuous: a logger that bypasses the package's filter is caught."""
    logging.getLogger("tests.plain").warning("value: %s", "x\n" + FORGED)
    assert len(forged_lines(all_logs)) == 1


def test_every_logger_of_the_package_escapes() -> None:
    """The root of the class: the package makes its loggers with logs.get_logger only, so
    each carries the escaping filter; a module calling logging.getLogger would slip past."""
    import importlib
    import pkgutil
    from pathlib import Path

    import django_amazonpay
    from django_amazonpay.logs import EscapeControls

    root = Path(django_amazonpay.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "logging.getLogger(" in path.read_text(encoding="utf-8")
        and path.name != "logs.py"
        and "migrations" not in path.parts
    ]
    assert offenders == []
    loggers = []
    for module in pkgutil.walk_packages(django_amazonpay.__path__, "django_amazonpay."):
        if module.name.endswith("__main__"):
            continue
        loaded = importlib.import_module(module.name)
        loggers += [v for v in vars(loaded).values() if isinstance(v, logging.Logger)]
    assert len(loggers) >= 10
    for logger in loggers:
        assert any(isinstance(f, EscapeControls) for f in logger.filters), logger.name


@pytest.mark.parametrize("brk", [*LINE_BREAKS, "\x1b", "\x00", "\u202e", "\ud800"])
def test_the_filter_escapes_arguments_messages_and_tracebacks(brk: str) -> None:
    from django_amazonpay.logs import get_logger

    logger = get_logger("django_amazonpay.tests.escaping")
    handler = Collect()
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    try:
        error = ValueError("c" + brk + FORGED)
        logger.warning("as text: %s, as repr: %r, as object: %s, count %d, took %.1fs",
                       "a" + brk + FORGED, "b" + brk, error, 3, 1.5)  # fmt: skip
        logger.warning({"message": "d" + brk + FORGED})
        logger.info("%(who)s said", {"who": "e" + brk + FORGED})
        try:
            try:
                raise KeyError("inner")
            except KeyError as inner:
                raise LookupError("f" + brk + FORGED) from inner
        except LookupError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
        logger.setLevel(logging.NOTSET)
    assert "count 3, took 1.5s" in handler.lines[0]
    assert "The above exception was the direct cause" in handler.lines[3]
    assert "KeyError: 'inner'" in handler.lines[3] and "LookupError: f" in handler.lines[3]
    assert all(brk not in line for line in handler.lines[:3])  # the traceback has its own
    assert sum(FORGED in line for line in handler.lines) == 4
    assert forged_lines(handler) == []
