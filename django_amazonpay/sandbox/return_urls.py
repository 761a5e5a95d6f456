"""Where the buyer pages send the buyer back, and how the result travels.

`return_url` is a same-site path: one leading "/", no scheme, no host, no "//" or "/\\" (which
browsers read as another host), no backslash, no control or space characters, no fragment.
A simulator on another origin than the shop (the standalone server) may also be given the
shop's origins (`Simulator(return_origins=...)`, `--return-origin`): an absolute URL is then
accepted when it starts with exactly one of them. Anything else is refused with a 400, never
followed.

The order reference id and the access token go back in the URL fragment, which browsers never
send to a server (no access log, no Referer sees it): docs/widgets.md, "How the token comes
back".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, urlencode, urlsplit

from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 2000
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\#]")
_ORIGIN = re.compile(r"^https?://[^/?#@\\\s]+$")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


class BadReturnUrl(ValueError):
    """The return_url is refused: 400 on the page."""


def normalized_origins(origins: Iterable[str]) -> tuple[str, ...]:
    """Origins as `scheme://host[:port]`, lowercase; ValueError for anything else."""
    result = []
    for origin in origins:
        text = str(origin).rstrip("/").lower()
        if not _ORIGIN.match(text):
            raise ValueError(f"not an origin (scheme://host[:port]): {origin!r}")
        result.append(text)
    return tuple(result)


def checked_return_url(value: object, origins: tuple[str, ...] = ()) -> str:
    """`value` when it is a same-site path (or starts with an allowed origin); else
    BadReturnUrl."""
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        raise BadReturnUrl(_("return_url must be a path of this site, such as /checkout/."))
    path = value
    for origin in origins:
        if value.lower().startswith(origin + "/"):
            path = value[len(origin) :]
            break
    if (
        not path.startswith("/")
        or path.startswith("//")
        or _FORBIDDEN.search(path)
        or urlsplit(path).scheme
        or urlsplit(path).netloc
    ):
        raise BadReturnUrl(_("return_url must be a path of this site, such as /checkout/."))
    # a Location header is ASCII: a path with Japanese in it travels percent-encoded
    return _NON_ASCII.sub(lambda m: quote(m.group(), safe=""), value)


def with_fragment(return_url: str, **values: str) -> str:
    """`return_url#key=value&...`: what the page's script reads and then removes."""
    return f"{return_url}#{urlencode(values)}"
