"""The buyer's side: pages standing in for the Amazon Pay button, address book and wallet.

Flow (all GET links and POST forms, no JavaScript):
`/sandbox/buyer/sign-in?return_url=U` -> pick a sandbox buyer -> `/sandbox/buyer/address` ->
`/sandbox/buyer/wallet` -> a Draft order reference is created and the browser goes back to
`U?amazon_order_reference_id=...&access_token=...`. After an InvalidPaymentMethod decline,
`/sandbox/buyer/wallet/<ORO id>?return_url=U` lets the buyer pick another payment method.

Templates are rendered with Django's template engine standalone (autoescape on, only strings
passed in) so the standalone server needs no Django settings.
"""

from __future__ import annotations

import json
import secrets
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.utils.translation import gettext_lazy as _

from .engine import unknown_payment_method
from .errors import SimulatorError
from .responses import Reply
from .rules import PAYMENT_METHODS_BY_ID

if TYPE_CHECKING:
    from django.template import Engine

    from .simulator import Simulator

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
#: Sandbox buyers and addresses per region. JP's first ones are seed 000's buyer and address
#: (its Buyer element carries Name and Email only).
BUYERS: dict[str, list[dict[str, str]]] = {
    "jp": [
        {"Name": "吉田一郎", "Email": "gmail+sandbox@gmail.com"},
        {"Name": "佐藤花子", "Email": "hanako+sandbox@example.jp"},
    ],
    "us": [{"Name": "Jane Doe", "Email": "jane+sandbox@example.com"}],
    "uk": [{"Name": "John Smith", "Email": "john+sandbox@example.co.uk"}],
    "de": [{"Name": "Max Mustermann", "Email": "max+sandbox@example.de"}],
}
ADDRESSES: dict[str, list[dict[str, str]]] = {
    "jp": [
        {"Name": "吉田一郎", "AddressLine1": "渋谷区神宮前2-2-2", "StateOrRegion": "東京都",
         "PostalCode": "1500001", "CountryCode": "JP", "Phone": "03-3333-4444"},
        {"Name": "佐藤花子", "AddressLine1": "北区梅田1-1-1", "StateOrRegion": "大阪府",
         "PostalCode": "5300001", "CountryCode": "JP", "Phone": "06-1111-2222"},
    ],
    "us": [
        {"Name": "Jane Doe", "AddressLine1": "410 Terry Ave N", "City": "Seattle",
         "StateOrRegion": "WA", "PostalCode": "98109", "CountryCode": "US",
         "Phone": "206-555-0100"},
    ],
    "uk": [
        {"Name": "John Smith", "AddressLine1": "1 Principal Place", "City": "London",
         "PostalCode": "EC2A 2FA", "CountryCode": "GB", "Phone": "020 7946 0000"},
    ],
    "de": [
        {"Name": "Max Mustermann", "AddressLine1": "Marcel-Breuer-Str. 12", "City": "München",
         "PostalCode": "80807", "CountryCode": "DE", "Phone": "030 1234567"},
    ],
}  # fmt: skip
ADDRESS_FIELDS = (
    "Name AddressLine1 AddressLine2 AddressLine3 City County District StateOrRegion "
    "PostalCode CountryCode Phone"
).split()


@lru_cache(maxsize=1)
def _engine() -> Engine:
    from django.conf import settings
    from django.template import Engine

    if not settings.configured:
        # standalone server: no project, so no translations; pages stay in English
        settings.configure(USE_I18N=False)
    # translatable (LocaleMiddleware's language applies when mounted in a Django project)
    return Engine(
        dirs=[str(TEMPLATES)],
        autoescape=True,
        libraries={"i18n": "django.templatetags.i18n"},
    )


def render(name: str, context: dict[str, Any], status: int = 200) -> Reply:
    from django.template import Context

    html = _engine().get_template(f"django_amazonpay/sandbox/{name}").render(Context(context))
    return Reply(status, html.encode("utf-8"), content_type="text/html; charset=utf-8")


def redirect(location: str) -> Reply:
    return Reply(302, b"", [("Location", location)], content_type="text/plain")


def _json(data: Any, status: int) -> Reply:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Reply(status, body, content_type="application/json")


def _error(error: str, description: str, status: int = 400) -> Reply:
    return _json({"error": error, "error_description": description}, status)


def access_token() -> str:
    """An opaque Login-with-Amazon-like token (`Atza|...`); the simulator does not check it."""
    return "Atza|" + secrets.token_urlsafe(32)


def with_params(url: str, **params: str) -> str:
    """`url` with params added to its query string (keeps what was there)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def safe_return_url(url: str) -> str:
    """Only http(s) URLs or same-site paths: a javascript: URL must not become a redirect."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") or (not parts.scheme and url.startswith("/")):
        return url
    raise ValueError("return_url must be an http(s) URL or an absolute path")


def _form(environ: dict, body: bytes) -> dict[str, str]:
    data = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    if body and "json" not in environ.get("CONTENT_TYPE", ""):
        data.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return data


def _known_method(value: str | None) -> str | None:
    """`value` when it is a wallet choice of the catalogue (or None); else the ids to use."""
    if value is None or value in PAYMENT_METHODS_BY_ID:
        return value
    raise ValueError(
        _("Unknown payment method “%(method)s”. Valid ids: %(ids)s.")
        % {"method": value, "ids": ", ".join(PAYMENT_METHODS_BY_ID)}
    )


def _pick(options: list[dict[str, str]], index: str) -> dict[str, str]:
    try:
        return options[int(index)]
    except (ValueError, IndexError):
        raise ValueError("unknown choice") from None


def dispatch(sim: Simulator, environ: dict, path: str, body: bytes) -> Reply:
    """Route /sandbox/buyer/... requests."""
    route = path[len("/sandbox/buyer/") :].rstrip("/")
    method = environ.get("REQUEST_METHOD", "GET")
    if route == "order-references" and method == "POST":
        return create_by_json(sim, body)
    form = _form(environ, body)
    region = sim.region.code
    try:
        return_url = safe_return_url(form.get("return_url", "/"))
        state = {"return_url": return_url}
        if route == "sign-in":
            buyers = [
                {"index": str(i), "name": b["Name"], "email": b["Email"]}
                for i, b in enumerate(BUYERS[region])
            ]
            return render("sign_in.html", {"buyers": buyers, "query": urlencode(state)})
        if route == "address":
            buyer = _pick(BUYERS[region], form.get("buyer", "0"))
            addresses = [
                {
                    "index": str(i),
                    "lines": " ".join(a.get(f, "") for f in ADDRESS_FIELDS if a.get(f)),
                }
                for i, a in enumerate(ADDRESSES[region])
            ]
            query = urlencode({**state, "buyer": form.get("buyer", "0")})
            return render(
                "address.html", {"buyer": buyer["Name"], "addresses": addresses, "query": query}
            )
        if route == "wallet" and method == "GET":
            buyer = _pick(BUYERS[region], form.get("buyer", "0"))
            _pick(ADDRESSES[region], form.get("address", "0"))
            return render(
                "wallet.html",
                {
                    "buyer": buyer["Name"],
                    "methods": _methods(sim),
                    "hidden": [{"name": k, "value": form.get(k, "0")} for k in ("buyer", "address")]
                    + [{"name": "return_url", "value": return_url}],
                    "action": "",
                },
            )
        if route == "wallet" and method == "POST":
            oro_id = sim.create_order_reference(
                address=dict(_pick(ADDRESSES[region], form.get("address", "0"))),
                buyer=dict(_pick(BUYERS[region], form.get("buyer", "0"))),
                payment_method=_known_method(form.get("payment_method") or None),
            )
            return redirect(
                with_params(
                    return_url, amazon_order_reference_id=oro_id, access_token=access_token()
                )
            )
        if route.startswith("wallet/"):
            oro_id = route.split("/", 1)[1]
            if method == "POST":
                sim.get_object(oro_id)  # 404 for an unknown id, before the method's check
                sim.set_payment_method(oro_id, _known_method(form.get("payment_method", "")))
                return redirect(with_params(return_url, amazon_order_reference_id=oro_id))
            sim.get_object(oro_id)  # 404 for an unknown id
            return render(
                "wallet.html",
                {
                    "buyer": "",
                    "order_reference_id": oro_id,
                    "methods": _methods(sim),
                    "hidden": [{"name": "return_url", "value": return_url}],
                },
            )
    except KeyError:
        return render("error.html", {"message": _("Unknown order reference.")}, 404)
    except SimulatorError as exc:
        if exc.code == "InvalidOrderReferenceId":
            return render("error.html", {"message": _("Unknown order reference.")}, 404)
        # e.g. a wallet change once the order reference is Open: Amazon's words
        return render("error.html", {"message": exc.message}, 400)
    except ValueError as exc:
        return render("error.html", {"message": str(exc)}, 400)
    return render("error.html", {"message": _("Page not found.")}, 404)


def _methods(sim: Simulator) -> list[dict[str, str]]:
    return [
        {"id": str(m["id"]), "label": str(m["label"]), "outcome": str(m.get("outcome") or "")}
        for m in sim.engine.payment_methods()
    ]


def create_by_json(sim: Simulator, body: bytes) -> Reply:
    """POST /sandbox/buyer/order-references: what a signed-in buyer's widgets would produce."""
    try:
        data = json.loads(body or b"{}")
        if not isinstance(data, dict):
            raise ValueError("a JSON object is expected")
    except ValueError as exc:
        return _error("invalid_request", f"invalid JSON body: {exc}")
    seller_id = data.get("seller_id")
    if seller_id is None or seller_id == "":
        return _error("missing_seller_id", f"seller_id is missing (this simulator's seller is "
                      f"{sim.seller_id})")  # fmt: skip
    if seller_id != sim.seller_id:
        return _error("invalid_seller", "seller_id does not match this simulator's seller")
    address = data.get("address")
    if address is not None:
        if not isinstance(address, dict) or set(address) - set(ADDRESS_FIELDS):
            return _error("invalid_address", f"address fields are {', '.join(ADDRESS_FIELDS)}")
    method = data.get("payment_method")
    if method not in (None, "") and (
        not isinstance(method, str) or method not in PAYMENT_METHODS_BY_ID
    ):
        return _error("invalid_payment_method", unknown_payment_method(method).message)
    try:
        oro_id = sim.create_order_reference(
            environment=data.get("environment", "Sandbox"),
            address=address or dict(ADDRESSES[sim.region.code][0]),
            buyer=data.get("buyer") or dict(BUYERS[sim.region.code][0]),
            payment_method=data.get("payment_method"),
        )
    except (SimulatorError, ValueError, KeyError) as exc:
        return _error("invalid_request", str(exc))
    return _json({"amazon_order_reference_id": oro_id, "access_token": access_token()}, 201)
