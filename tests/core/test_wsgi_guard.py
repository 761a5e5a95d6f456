"""The WSGI wrapper answers what Django cannot: a Content-Type whose charset is no text
encoding makes Django raise while building the request, before any middleware."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler

from django_amazonpay.wsgi import reject_unusable_charsets, unusable_charset

pytestmark = pytest.mark.django_db


def call(app: Any, content_type: str, query: str = "x=1") -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/amazon-pay/api/checkouts/",
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": "2",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.input": io.BytesIO(b"{}"),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }
    seen: dict[str, str] = {}

    def start_response(status: str, headers: list, exc_info: Any = None) -> Any:
        seen["status"] = status
        return lambda data: None

    body = b"".join(app(environ, start_response))
    return seen["status"], body


@pytest.mark.parametrize("charset", ["rot13", "base64", "zlib", "hex", "uu", "bz2"])
def test_a_charset_that_is_no_text_encoding_is_415_in_the_error_shape(charset: str) -> None:
    with pytest.raises(LookupError):  # what Django alone does: the server's own 500
        call(WSGIHandler(), f"application/json; charset={charset}")
    status, body = call(
        reject_unusable_charsets(WSGIHandler()), f"application/json; charset={charset}"
    )
    assert status.startswith("415")
    assert json.loads(body)["error"] == "unsupported_media_type"


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8",
                     "application/json; charset=no-such-codec", "text/plain; charset=latin-1", ""]
)  # fmt: skip
def test_everything_else_reaches_django(content_type: str) -> None:
    assert unusable_charset(content_type) is None
    status, _ = call(reject_unusable_charsets(WSGIHandler()), content_type)
    assert not status.startswith(("415 Unsupported Media Type", "5"))
