"""Request bodies, refused before they cost anything (docs/api.md, Input).

The API's bodies are a few short fields, so a body is at most MAX_BODY_BYTES (or the host's
smaller DATA_UPLOAD_MAX_MEMORY_SIZE): 413 before a byte is parsed (a body up to DRAIN_BYTES is
read and dropped first, so that the client sees the answer), and 411 for a body sent without
a declared length. JSON must be UTF-8 and at
most MAX_DEPTH levels deep: a deeper document is refused before it reaches the decoder, whose
recursion would otherwise end in a RecursionError.
"""

from __future__ import annotations

import codecs
import json
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.utils.json import strict_constant

from .errors import ApiError, LengthRequired, RequestTooLarge

MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 20
#: an oversized body up to this size is read and dropped before the 413 is sent; a larger
#: one is not read at all (the connection may then end in a reset)
DRAIN_BYTES = 1024 * 1024
DRAIN_CHUNK = 64 * 1024
#: what codecs.lookup() calls the charsets a JSON body may declare (JSON is UTF-8, RFC 8259)
UTF8_NAMES = ("utf-8", "ascii")
_OPENERS = (ord("["), ord("{"))
_CLOSERS = (ord("]"), ord("}"))
_QUOTE, _BACKSLASH = ord('"'), ord("\\")


def body_limit() -> int:
    """The largest body the API reads, in bytes."""
    host = getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None)
    return MAX_BODY_BYTES if host is None else min(host, MAX_BODY_BYTES)


def check_body_size(request: Request) -> None:
    """411 for a body whose length is not declared, 413 when the declared length is over
    body_limit(). Django reads no more than CONTENT_LENGTH, so the declared length is the
    body's, and a body sent with Transfer-Encoding (chunked) and no length would be read as
    empty: its fields "missing", its size never checked."""
    if "HTTP_TRANSFER_ENCODING" in request.META:
        raise LengthRequired()
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not (declared.isascii() and declared.isdigit()):
        raise ApiError(_("The Content-Length header must be the body's size in bytes."))
    length = int(declared)
    limit = body_limit()
    if length > limit:
        if length <= DRAIN_BYTES:
            _drain(request)
        raise RequestTooLarge(
            _("The request body is %(length)d bytes; this API takes at most %(limit)d.")
            % {"length": length, "limit": limit}
        )


def _drain(request: Request) -> None:
    """Read and drop the body: a server that closes a connection with unread bytes in it
    sends a reset, and the client may never see the 413 (docs/api.md, Input)."""
    django_request = request._request
    try:
        while django_request.read(DRAIN_CHUNK):
            pass
    except OSError:  # the client went away: nobody is left to answer
        pass


def too_deep(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text `raw` nests arrays and objects deeper than `limit`."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPENERS:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSERS:
            depth -= 1
    return False


class JSONBodyParser(JSONParser):
    """DRF's JSON parser with the limits above; every failure is a ParseError (400)."""

    def parse(
        self, stream: IO[bytes] | None, media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        if codecs.lookup(encoding).name not in UTF8_NAMES:
            raise UnsupportedMediaType(
                media_type, _("Send JSON in UTF-8 (charset=utf-8, or no charset).")
            )
        raw = stream.read(body_limit() + 1) if stream is not None else b""
        if len(raw) > body_limit():
            raise RequestTooLarge()
        if too_deep(raw):
            raise ParseError(_("JSON nested deeper than %(depth)d levels.") % {"depth": MAX_DEPTH})
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=strict_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
