"""What the simulator sends back: ErrorResponse documents, headers, request ids, small XML help."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from xml.sax.saxutils import escape as _escape

from ..safetext import escape_controls

#: Exactly this string, http not https: the Java SDK strips it with a regex (spec 1.5, 8.2).
PAYMENTS_NS = "http://mws.amazonservices.com/schema/OffAmazonPayments/2013-01-01"
#: The Orders section uses https (spec 1.5, 7).
ORDERS_NS = "https://mws.amazonservices.com/Orders/2013-09-01"
XML_TYPE = "text/xml"
#: characters XML 1.0 cannot carry, not even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """Text for an XML element: escaped, and what XML cannot carry replaced (a hostile
    parameter echoed in an error must not make the whole answer unparseable)."""
    return _escape(_NOT_XML.sub("\ufffd", text))


@dataclass
class Reply:
    """One HTTP answer; `drop`/`delay` tell the transport what a fault asked for (see faults)."""

    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = XML_TYPE
    #: "reset" (nothing applied) or "lost" (applied): close the connection without an answer.
    drop: str | None = None
    #: seconds the transport should wait before answering ("slow" fault).
    delay: float = 0.0

    def header_list(self) -> list[tuple[str, str]]:
        return [("Content-Type", self.content_type), *self.headers]


def new_request_id() -> str:
    return str(uuid.uuid4())


def mws_timestamp(moment: datetime) -> str:
    """UTC, milliseconds, Z: `2018-02-17T15:19:06.399Z` (spec 1.5, 1.7)."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def mws_headers(request_id: str, now: datetime) -> list[tuple[str, str]]:
    """The informational MWS headers every answer carries (spec 1.7)."""
    return [("x-mws-request-id", request_id), ("x-mws-timestamp", mws_timestamp(now))]


def error_xml(code: str, message: str, type_: str, request_id: str, ns: str = PAYMENTS_NS) -> str:
    """ErrorResponse with RequestId directly under the root, as Amazon sends it. The message
    may quote a parameter: its line breaks are escaped, so a client that logs it logs one line."""
    message = escape_controls(message)
    return (
        f'<?xml version="1.0"?>\n<ErrorResponse xmlns="{ns}">\n  <Error>\n'
        f"    <Type>{escape(type_)}</Type>\n    <Code>{escape(code)}</Code>\n"
        f"    <Message>{escape(message)}</Message>\n  </Error>\n"
        f"  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n"
    )


def throttled_xml(request_id: str, ns: str = PAYMENTS_NS) -> str:
    """The throttled variant as observed: `<RequestID>` and an empty `<Type></Type>` (spec 1.6)."""
    return (
        f'<?xml version="1.0"?>\n<ErrorResponse xmlns="{ns}">\n  <Error>\n'
        "    <Type></Type>\n    <Code>RequestThrottled</Code>\n"
        "    <Message>Request is throttled</Message>\n  </Error>\n"
        f"  <RequestID>{request_id}</RequestID>\n</ErrorResponse>\n"
    )


def error_reply(
    code: str,
    message: str,
    status: int,
    type_: str,
    request_id: str,
    now: datetime,
    ns: str = PAYMENTS_NS,
) -> Reply:
    if code == "RequestThrottled":
        body = throttled_xml(request_id, ns)
    else:
        body = error_xml(code, message, type_, request_id, ns)
    return Reply(status, body.encode("utf-8"), mws_headers(request_id, now))


def element(name: str, value: object) -> str:
    """Render nested dicts/lists as XML elements, escaping every text (used by the Orders section).

    A list value repeats the element; None renders as an empty element.
    """
    if isinstance(value, list):
        return "".join(element(name, item) for item in value)
    if isinstance(value, Mapping):
        inner = "".join(element(k, v) for k, v in value.items())
        return f"<{name}>{inner}</{name}>"
    if value is None or value == "":
        return f"<{name}/>"
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{name}>{escape(str(value))}</{name}>"
