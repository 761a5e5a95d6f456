"""The buyer's side: pages standing in for the Amazon Pay button, address book and wallet.

Flow (all GET links and POST forms, no JavaScript):
`/sandbox/buyer/sign-in?return_url=U` -> pick a sandbox buyer -> `/sandbox/buyer/address` ->
`/sandbox/buyer/wallet` -> a Draft order reference is created and the browser goes back to
`U#amazon_order_reference_id=...&access_token=...`: in the fragment, which no server sees
(docs/widgets.md). After an InvalidPaymentMethod decline, `/sandbox/buyer/wallet/<ORO id>`
lets the buyer pick another payment method. U is a same-site path (return_urls.py).

Templates are rendered with Django's template engine standalone (autoescape on, only strings
passed in) so the standalone server needs no Django settings.
"""

from __future__ import annotations

import json
import secrets
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from django.utils.translation import gettext_lazy as _

from ..safetext import escape_controls
from .engine import unknown_payment_method
from .errors import SimulatorError
from .inbound import BadInput, content_type, has_control_chars, json_object, printable, query_text
from .responses import Reply
from .return_urls import checked_return_url, with_fragment
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
ADDRESS_FIELDS = tuple(
    "Name AddressLine1 AddressLine2 AddressLine3 City County District StateOrRegion "
    "PostalCode CountryCode Phone".split()
)
BUYER_FIELDS = ("Name", "Email", "Phone")


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


def error_page(message: str, status: int = 400) -> Reply:
    return render("error.html", {"message": escape_controls(message)}, status)


def _json(data: Any, status: int) -> Reply:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Reply(status, body, content_type="application/json")


def _error(error: str, description: str, status: int = 400) -> Reply:
    return _json({"error": error, "error_description": escape_controls(description)}, status)


def access_token() -> str:
    """An opaque Login-with-Amazon-like token (`Atza|...`); the simulator does not check it."""
    return "Atza|" + secrets.token_urlsafe(32)


def _form(environ: dict, body: bytes) -> dict[str, str]:
    """Query and (form-encoded) body fields; a body of another media type is a 415."""
    data = dict(parse_qsl(query_text(environ), keep_blank_values=True))
    if body:
        if content_type(environ) not in ("", "application/x-www-form-urlencoded"):
            raise BadInput(415, "unsupported_media_type", str(_("Send the form as a form.")))
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
        raise ValueError(_("Unknown choice.")) from None


def _allowed_methods(route: str) -> set[str] | None:
    """The methods a buyer page takes; None: no such page."""
    if route in ("sign-in", "address"):
        return {"GET"}
    if route == "wallet" or route.startswith("wallet/"):
        return {"GET", "POST"}
    return None


def dispatch(sim: Simulator, environ: dict, path: str, body: bytes) -> Reply:
    """Route /sandbox/buyer/... pages: HTML, a 4xx error page for anything wrong."""
    route = path[len("/sandbox/buyer/") :].rstrip("/")
    method = environ.get("REQUEST_METHOD", "GET")
    allowed = _allowed_methods(route)
    if allowed is None:
        return error_page(_("Page not found."), 404)
    if method not in allowed:
        reply = error_page(_("This page does not take a %(method)s request.")
                           % {"method": printable(method, 20)}, 405)  # fmt: skip
        reply.headers.append(("Allow", ", ".join(sorted(allowed))))
        return reply
    try:
        form = _form(environ, body)
        return_url = checked_return_url(form.get("return_url", "/"), sim.return_origins)
        return _page(sim, route, method, form, return_url)
    except BadInput as exc:
        return error_page(exc.description, exc.status)
    except KeyError:
        return error_page(_("Unknown order reference."), 404)
    except SimulatorError as exc:
        if exc.code == "InvalidOrderReferenceId":
            return error_page(_("Unknown order reference."), 404)
        # e.g. a wallet change once the order reference is Open: Amazon's words
        return error_page(exc.message, 400)
    except ValueError as exc:  # BadReturnUrl, an unknown choice or payment method
        return error_page(str(exc), 400)


def _page(sim: Simulator, route: str, method: str, form: dict[str, str], return_url: str) -> Reply:
    region = sim.region.code
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
            {"index": str(i), "lines": " ".join(a.get(f, "") for f in ADDRESS_FIELDS if a.get(f))}
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
                # every variable the template names: a missing one is logged with the whole
                # context, buyer included (django.template, DEBUG)
                "order_reference_id": "",
                "methods": _methods(sim),
                "hidden": [{"name": k, "value": form.get(k, "0")} for k in ("buyer", "address")]
                + [{"name": "return_url", "value": return_url}],
            },
        )
    if route == "wallet":
        oro_id = sim.create_order_reference(
            address=dict(_pick(ADDRESSES[region], form.get("address", "0"))),
            buyer=dict(_pick(BUYERS[region], form.get("buyer", "0"))),
            payment_method=_known_method(form.get("payment_method") or None),
        )
        # the token in the fragment, never in a URL a server sees: docs/widgets.md
        return redirect(
            with_fragment(return_url, amazon_order_reference_id=oro_id, access_token=access_token())
        )
    oro_id = route[len("wallet/") :]
    if sim.get_object(oro_id).get("type") != "OrderReference":  # KeyError: unknown
        raise KeyError(oro_id)
    if method == "POST":
        sim.set_payment_method(oro_id, _known_method(form.get("payment_method", "")))
        changed = {"amazon_order_reference_id": oro_id, "amazon_pay_payment_changed": "1"}
        return redirect(with_fragment(return_url, **changed))
    return render(
        "wallet.html",
        {
            "buyer": "",
            "order_reference_id": oro_id,
            "methods": _methods(sim),
            "hidden": [{"name": "return_url", "value": return_url}],
        },
    )


def _methods(sim: Simulator) -> list[dict[str, str]]:
    return [
        {"id": str(m["id"]), "label": str(m["label"]), "outcome": str(m.get("outcome") or "")}
        for m in sim.engine.payment_methods()
    ]


def create_by_json(sim: Simulator, environ: dict, body: bytes) -> Reply:
    """POST /sandbox/buyer/order-references: what a signed-in buyer's widgets would produce.

    A control route (access.py decides who may call it): it hands out an access token.
    """
    data = json_object(environ, body)
    seller_id = data.get("seller_id")
    if seller_id is None or seller_id == "":
        return _error("missing_seller_id", f"seller_id is missing (this simulator's seller is "
                      f"{sim.seller_id})")  # fmt: skip
    if seller_id != sim.seller_id:
        return _error("invalid_seller", "seller_id does not match this simulator's seller")
    environment = data.get("environment", "Sandbox")
    if environment not in ("Sandbox", "Live"):
        return _error("invalid_environment", 'environment must be "Sandbox" or "Live"')
    address = data.get("address")
    if address is not None and not _fields_of(address, ADDRESS_FIELDS):
        return _error("invalid_address", "address is an object of texts; its fields are "
                      f"{', '.join(ADDRESS_FIELDS)}")  # fmt: skip
    buyer = data.get("buyer")
    if buyer is not None and not _fields_of(buyer, BUYER_FIELDS):
        return _error("invalid_buyer", "buyer is an object of texts; its fields are "
                      f"{', '.join(BUYER_FIELDS)}")  # fmt: skip
    method = data.get("payment_method")
    if method not in (None, "") and (
        not isinstance(method, str) or method not in PAYMENT_METHODS_BY_ID
    ):
        return _error("invalid_payment_method", unknown_payment_method(method).message)
    try:
        oro_id = sim.create_order_reference(
            environment=environment,
            address=address or dict(ADDRESSES[sim.region.code][0]),
            buyer=buyer or dict(BUYERS[sim.region.code][0]),
            payment_method=method,
        )
    except (SimulatorError, ValueError, KeyError) as exc:
        return _error("invalid_request", str(exc))
    return _json({"amazon_order_reference_id": oro_id, "access_token": access_token()}, 201)


def _fields_of(value: Any, names: tuple[str, ...] | list[str]) -> bool:
    """`value` is an object whose keys are among `names` and whose values are short texts
    an XML answer can carry."""
    return (
        isinstance(value, dict)
        and set(value) <= set(names)
        and all(
            isinstance(v, str) and len(v) <= 500 and not has_control_chars(v)
            for v in value.values()
        )
    )
