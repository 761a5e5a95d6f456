"""Reading what a client sent, defensively: body size, JSON, query strings, control bytes.

Every problem becomes `BadInput` (a 4xx with an error code and a description saying what to
fix); the WSGI app renders it in the shape of the route asked for (docs/simulator.md,
"Hostile input").
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..safetext import escape_controls

#: The largest body the simulator reads; MWS requests are a few kilobytes, a saved state
#: with thousands of objects a few megabytes.
MAX_BODY_BYTES = 8 * 1024 * 1024
#: JSON nested deeper than this is refused before anything walks it.
MAX_JSON_DEPTH = 32
#: environ key a transport sets when it did not read the body itself: one of BODY_PROBLEMS
BODY_PROBLEM = "django_amazonpay.sandbox.body_problem"
#: environ key a transport sets with the body limit it applied when that is not
#: MAX_BODY_BYTES (the Django mount: DATA_UPLOAD_MAX_MEMORY_SIZE), so a 413 names it
BODY_LIMIT = "django_amazonpay.sandbox.body_limit"

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BadInput(Exception):
    """A request the simulator refuses: HTTP status, error code, what to fix."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(f"{status} {code}: {description}")
        self.status = status
        self.code = code
        self.description = description


def too_large(limit: int = MAX_BODY_BYTES) -> BadInput:
    return BadInput(413, "body_too_large", f"the body is larger than {limit} bytes")


BODY_PROBLEMS: dict[str, BadInput] = {
    "too_large": too_large(),
    "bad_length": BadInput(400, "invalid_content_length", "Content-Length is not a number"),
    "unreadable": BadInput(400, "unreadable_body", "the body could not be read"),
    "chunked": BadInput(411, "length_required", "send the body with a Content-Length, not chunked"),
}


def has_control_chars(text: str) -> bool:
    return _CONTROL.search(text) is not None


def printable(text: str, limit: int = 200) -> str:
    """`text` safe to echo in an error: on one line, its control characters escaped
    (safetext.escape_controls; XML could not carry most of them anyway), cut to `limit`."""
    shown = escape_controls(text)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def read_body(environ: dict) -> bytes:
    """The request body, at most MAX_BODY_BYTES; BadInput otherwise."""
    problem = environ.get(BODY_PROBLEM)
    if problem == "too_large":
        limit = environ.get(BODY_LIMIT)
        raise too_large(limit if isinstance(limit, int) else MAX_BODY_BYTES)
    if problem:
        raise BODY_PROBLEMS.get(problem, BODY_PROBLEMS["unreadable"])
    raw = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not raw:
        return b""
    if not raw.isdigit() or not raw.isascii():
        raise BODY_PROBLEMS["bad_length"]
    length = int(raw)
    if length > MAX_BODY_BYTES:
        raise BODY_PROBLEMS["too_large"]
    if length == 0:
        return b""
    try:
        return environ["wsgi.input"].read(length)
    except (OSError, ValueError):
        raise BODY_PROBLEMS["unreadable"] from None


def query_text(environ: dict) -> str:
    """QUERY_STRING as text: PEP 3333 hands it over as latin-1, undo that to get UTF-8 back
    (a transport that already gave real text keeps it)."""
    query = str(environ.get("QUERY_STRING", ""))
    try:
        return query.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return query


def content_type(environ: dict) -> str:
    """The media type without parameters, lowercased ("" when none was sent)."""
    return str(environ.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()


def parse_json(body: bytes) -> Any:
    """A JSON document, refused (BadInput 400) when invalid, not UTF-8 or nested too deep."""
    try:
        data = json.loads(body.decode("utf-8"))
    except RecursionError:
        raise BadInput(400, "invalid_json", _too_deep()) from None
    except (UnicodeDecodeError, ValueError) as exc:
        reason = printable(str(exc))
        raise BadInput(400, "invalid_json", f"the body is not JSON: {reason}") from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise BadInput(400, "invalid_json", _too_deep())
    return data


def json_object(environ: dict, body: bytes) -> dict[str, Any]:
    """The body as a JSON object; an empty body is {}. Other media types are a 415."""
    if not body:
        return {}
    if content_type(environ) not in ("application/json", ""):
        raise BadInput(415, "unsupported_media_type", "send the body as application/json")
    data = parse_json(body)
    if not isinstance(data, dict):
        raise BadInput(400, "invalid_json", "the body must be a JSON object")
    return data


def _too_deep() -> str:
    return f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep"


def _depth(value: Any) -> int:
    """How deeply `value` nests lists and objects (iterative: no recursion limit to hit)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest
