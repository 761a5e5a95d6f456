"""Who may use the simulator's control routes (state, faults, clock, objects, reset...).

Two ways in (docs/simulator.md, "Control routes"):

- the transport vouches for the caller by setting `CONTROL_GRANTED` in the environ to True:
  the in-process adapter (the test's own code), and the Django mount for a staff user whose
  unsafe request passed Django's CSRF check;
- the caller sends the simulator's control token in the `X-Simulator-Token` header (the
  standalone server prints it at start). A header cannot be sent cross-site without CORS,
  so the token needs no CSRF protection of its own.

Environ keys come from headers only as HTTP_*, so a client cannot set CONTROL_GRANTED or
CONTROL_REFUSED.
"""

from __future__ import annotations

import hmac
import secrets

CONTROL_GRANTED = "django_amazonpay.sandbox.control_granted"
#: why the transport did not vouch for a caller it knows (a staff user whose request failed
#: Django's CSRF check): the refusal says that instead of asking for a staff session
CONTROL_REFUSED = "django_amazonpay.sandbox.control_refused"
TOKEN_HEADER = "X-Simulator-Token"  # noqa: S105 (a header name, not a secret)
_TOKEN_ENVIRON = "HTTP_X_SIMULATOR_TOKEN"  # noqa: S105


def new_token() -> str:
    return secrets.token_urlsafe(24)


def control_allowed(environ: dict, token: str | None) -> bool:
    if environ.get(CONTROL_GRANTED) is True:
        return True
    given = environ.get(_TOKEN_ENVIRON)
    if not token or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8"))
