"""A WSGI wrapper for what Django cannot answer itself: a request whose Content-Type names a
codec that is not a text encoding (`charset=rot13`, `base64`, `zlib`...).

Django builds the request object before any middleware runs, and with such a charset and a
query string it raises LookupError there: the server answers its own 500. Wrap the project's
application (wsgi.py) to answer 415 in the app's error shape instead:

    application = reject_unusable_charsets(get_wsgi_application())
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.http import parse_header_parameters

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def unusable_charset(content_type: str) -> str | None:
    """The charset a Content-Type names when Python knows it but it is not a text encoding."""
    try:
        _, params = parse_header_parameters(content_type)
    except Exception:  # Django will refuse a Content-Type it cannot parse on its own
        return None
    charset = params.get("charset")
    if not charset:
        return None
    try:
        info = codecs.lookup(charset)
    except LookupError:  # unknown names: Django falls back to DEFAULT_CHARSET itself
        return None
    return None if getattr(info, "_is_text_encoding", True) else charset


def reject_unusable_charsets(application: WsgiApp) -> WsgiApp:
    """`application`, answering 415 `unsupported_media_type` to a non-text charset."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        charset = unusable_charset(environ.get("CONTENT_TYPE", ""))
        if charset is None:
            return application(environ, start_response)
        body = json.dumps(
            {
                "error": "unsupported_media_type",
                "error_description": f"charset {charset!r} is not a text encoding: use utf-8.",
            }
        ).encode()
        start_response(
            "415 Unsupported Media Type",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    return guarded
