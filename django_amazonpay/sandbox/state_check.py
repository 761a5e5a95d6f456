"""Is a posted state (POST /sandbox/state) one the simulator can run on? Checked before
anything is replaced.

A state the engine cannot use would not fail on restore but on the next MWS call, as a 500
InternalError for whoever calls next. So every field is checked against its dataclass
annotation, every state and timer kind against the engine's own, and every id an object
refers to must exist. A state written by `GET /sandbox/state` or `save()` always passes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import MISSING, fields
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..amounts import CURRENCY_EXPONENTS
from .objects import Authorization, Capture, OrderReference, Refund, Status
from .orders import STATUSES as ORDER_STATUSES
from .rules import PAYMENT_METHODS_BY_ID

STATES = {
    "orders": {"Draft", "Open", "Suspended", "Canceled", "Closed"},
    "authorizations": {"Pending", "Open", "Declined", "Closed"},
    "captures": {"Pending", "Declined", "Completed", "Closed"},
    "refunds": {"Pending", "Declined", "Completed"},
}
TABLES = {
    "orders": OrderReference,
    "authorizations": Authorization,
    "captures": Capture,
    "refunds": Refund,
}
#: timer kind -> the table its object id is in (the engine's `_timer_<kind>` methods)
TIMERS = {
    "draft_stale": "orders",
    "order_expired": "orders",
    "payment_method_updated": "orders",
    "immediate_authorization": "orders",
    "authorization_settles": "authorizations",
    "authorization_expires": "authorizations",
    "capture_settles": "captures",
    "refund_settles": "refunds",
}
MAX_TEXT = 10_000
MAX_AMOUNT = Decimal(10) ** 12
#: Items of the Orders book become XML elements: their names must be XML names.
XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$")
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class InvalidState(ValueError):
    """Says which value is wrong and why."""


def check_state(data: Any, *, seller_id: str, region: str) -> None:
    """Raise InvalidState unless `data` is a snapshot this simulator can restore."""
    top = _mapping(data, "the state")
    if top.get("seller_id") not in (None, seller_id):
        raise InvalidState("this state belongs to another seller")
    if top.get("region") not in (None, region):
        raise InvalidState(f"this state is for region {top.get('region')!r}, not {region!r}")
    engine = _mapping(top.get("engine"), "engine")
    store = _mapping(engine.get("store"), "engine.store")
    check_store(store)
    if "orders" in top:
        check_orders_book(top["orders"])


def check_store(store: Mapping[str, Any]) -> None:
    for key in ("seed", "counter", "sequence"):
        _integer(store.get(key), f"store.{key}", maximum=2**63)
    ids: dict[str, dict[str, Any]] = {}
    for table, cls in TABLES.items():
        rows = _list(store.get(table), f"store.{table}")
        ids[table] = {}
        for n, row in enumerate(rows):
            where = f"store.{table}[{n}]"
            obj = _object(row, cls, where)
            if obj["status"]["state"] not in STATES[table]:
                raise InvalidState(f"{where}.status.state is not one of {sorted(STATES[table])}")
            if obj["id"] in ids[table]:
                raise InvalidState(f"{where}.id {obj['id']!r} appears twice")
            ids[table][obj["id"]] = obj
    _check_links(ids)
    for n, entry in enumerate(_list(store.get("references"), "store.references")):
        where = f"store.references[{n}]"
        items = _list(entry, where)
        if len(items) != 4:
            raise InvalidState(f"{where} must be [reference id, action, fingerprint, object id]")
        _text(items[0], where)
        _text(items[1], where)
        for pair in _list(items[2], where):
            if len(_list(pair, where)) != 2 or not all(isinstance(x, str) for x in pair):
                raise InvalidState(f"{where}: the fingerprint is a list of [name, value]")
        if not any(items[3] in table for table in ids.values()):
            raise InvalidState(f"{where} refers to an unknown object {items[3]!r}")
    for n, entry in enumerate(_list(store.get("timers"), "store.timers")):
        where = f"store.timers[{n}]"
        items = _list(entry, where)
        if len(items) != 4:
            raise InvalidState(f"{where} must be [due, sequence, kind, object id]")
        _moment(items[0], where)
        _integer(items[1], where, maximum=2**63)
        if items[2] not in TIMERS:
            raise InvalidState(f"{where}: the timer kind is not one of {sorted(TIMERS)}")
        if items[3] not in ids[TIMERS[items[2]]]:
            raise InvalidState(f"{where} refers to an unknown object {items[3]!r}")


def check_orders_book(data: Any) -> None:
    book = _mapping(data, "orders")
    if "page_size" in book:
        _integer(book["page_size"], "orders.page_size", minimum=1, maximum=1000)
    for order_id, order in _mapping(book.get("orders"), "orders.orders").items():
        where = f"orders.orders[{order_id!r}]"
        order = _mapping(order, where)
        if order.get("status") not in ORDER_STATUSES:
            raise InvalidState(f"{where}.status is not one of {sorted(ORDER_STATUSES)}")
        check_order_items(order.get("items"), where + ".items")


def check_order_items(items: Any, where: str = "items") -> None:
    """Order items as `add_order` takes them; each becomes XML, so names must be XML names."""
    for n, item in enumerate(_list(items, where)):
        item = _mapping(item, f"{where}[{n}]")
        missing = {"ASIN", "OrderItemId", "QuantityOrdered"} - set(item)
        if missing:
            raise InvalidState(f"{where}[{n}] lacks {sorted(missing)}")
        _xml_value(item, f"{where}[{n}]")


def _xml_value(value: Any, where: str) -> None:
    stack = [(value, where)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, Mapping):
            for key, child in item.items():
                if not isinstance(key, str) or not XML_NAME.match(key):
                    raise InvalidState(f"{path}: {key!r} is not an XML element name")
                stack.append((child, f"{path}.{key}"))
        elif isinstance(item, list):
            stack.extend((child, path) for child in item)
        elif isinstance(item, str):
            if _XML_FORBIDDEN.search(item) or len(item) > MAX_TEXT:
                raise InvalidState(f"{path}: control characters or too long")
        elif (
            item is not None
            and not isinstance(item, (bool, int))
            and not (isinstance(item, float) and math.isfinite(item))
        ):
            raise InvalidState(f"{path}: not a JSON scalar")


def _check_links(ids: dict[str, dict[str, Any]]) -> None:
    orders, auths, caps, refs = (ids[t] for t in TABLES)
    for oid, oro in orders.items():
        _all_in(oro["authorization_ids"], auths, f"order reference {oid}")
    for aid, auth in auths.items():
        _all_in([auth["order_reference_id"]], orders, f"authorization {aid}")
        _all_in(auth["capture_ids"], caps, f"authorization {aid}")
    for cid, cap in caps.items():
        _all_in([cap["authorization_id"]], auths, f"capture {cid}")
        _all_in([cap["order_reference_id"]], orders, f"capture {cid}")
        _all_in(cap["refund_ids"], refs, f"capture {cid}")
    for rid, ref in refs.items():
        _all_in([ref["capture_id"]], caps, f"refund {rid}")
        _all_in([ref["order_reference_id"]], orders, f"refund {rid}")


def _all_in(wanted: list[str], table: dict[str, Any], owner: str) -> None:
    for object_id in wanted:
        if object_id not in table:
            raise InvalidState(f"{owner} refers to an unknown object {object_id!r}")


# -- one object ------------------------------------------------------------------------------
def _object(row: Any, cls: type, where: str) -> dict[str, Any]:
    """Check every field of `row` against `cls`'s annotations; return the row."""
    data = _mapping(row, where)
    known = {f.name: str(f.type) for f in fields(cls)}
    unknown = set(data) - set(known)
    if unknown:
        raise InvalidState(f"{where} has unknown fields {sorted(map(str, unknown))}")
    for f in fields(cls):
        if f.name not in data:
            if f.default is MISSING and f.default_factory is MISSING:
                raise InvalidState(f"{where}.{f.name} is missing")
            continue
        _field(data[f.name], known[f.name], f"{where}.{f.name}", f.name)
    return data


def _field(value: Any, kind: str, where: str, name: str) -> None:
    optional = kind.endswith("| None")
    if value is None:
        if not optional:
            raise InvalidState(f"{where} must not be null")
        return
    base = kind.removesuffix(" | None")
    if base == "Status":
        _object(value, Status, where)
    elif base == "str":
        _text(value, where)
        _enumerated(value, where, name)
    elif base == "datetime":
        _moment(value, where)
    elif base == "Decimal":
        _amount(value, where)
    elif base == "bool":
        if not isinstance(value, bool):
            raise InvalidState(f"{where} must be true or false")
    elif base == "int":
        _integer(value, where, maximum=10**9)
    elif base == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidState(f"{where} must be a number")
        if not math.isfinite(value) or not 0 <= value <= 10**7:
            raise InvalidState(f"{where} must be between 0 and 10000000")
    elif base == "list[str]":
        for item in _list(value, where):
            _text(item, where)
    elif base == "dict[str, str]":
        for key, item in _mapping(value, where).items():
            _text(key, where)
            _text(item, f"{where}.{key}")
    else:  # a field type this check does not know yet: refuse rather than guess
        raise InvalidState(f"{where}: cannot check a {base}")


def _enumerated(value: str, where: str, name: str) -> None:
    if name == "environment" and value not in ("Sandbox", "Live"):
        raise InvalidState(f"{where} must be Sandbox or Live")
    if name == "currency" and value not in CURRENCY_EXPONENTS:
        raise InvalidState(f"{where} is not a currency")
    if name == "payment_method" and value not in PAYMENT_METHODS_BY_ID:
        raise InvalidState(f"{where} is not one of {sorted(PAYMENT_METHODS_BY_ID)}")
    if name == "planned_state" and value not in set().union(*STATES.values()):
        raise InvalidState(f"{where} is not a state")


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidState(f"{where} must be a JSON object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidState(f"{where} must be a list")
    return value


def _text(value: Any, where: str) -> None:
    if not isinstance(value, str) or len(value) > MAX_TEXT or _XML_FORBIDDEN.search(value):
        raise InvalidState(f"{where} must be text without control characters")


def _integer(value: Any, where: str, *, minimum: int = 0, maximum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise InvalidState(f"{where} must be a whole number from {minimum} to {maximum}")


def _moment(value: Any, where: str) -> None:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    # the engine adds lifetimes of up to 180 days: keep far from datetime's limits
    if moment is None or moment.tzinfo is None or not 1970 <= moment.year <= 9000:
        raise InvalidState(f"{where} must be an ISO 8601 time with a zone")


def _amount(value: Any, where: str) -> None:
    try:
        amount = Decimal(value) if isinstance(value, str) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not 0 <= amount <= MAX_AMOUNT:
        raise InvalidState(f'{where} must be an amount such as "1500.00"')
