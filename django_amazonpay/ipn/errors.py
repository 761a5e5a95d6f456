"""Why a delivery is refused, or cannot be checked yet."""

from __future__ import annotations

import re

from ..safetext import escape_controls

#: reasons are stored, logged and answered: long attacker-chosen values are cut to this
REASON_LIMIT = 500
#: what no database text column, log file or JSON answer can carry: NUL and lone surrogates
#: (a JSON string may spell "\ud800"; SNS never sends either)
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` with NUL and lone surrogates replaced, so hostile values are stored, not a 500."""
    return UNSTORABLE.sub("\ufffd", text)


def safe_reason(reason: str) -> str:
    """A reason fit to store, log and answer: on one line, whatever it quotes of the delivery
    (line breaks, NUL and lone surrogates escaped, docs/logs.md), cut to REASON_LIMIT."""
    reason = escape_controls(reason)
    return reason if len(reason) <= REASON_LIMIT else reason[: REASON_LIMIT - 1] + "…"


class Rejected(Exception):
    """The delivery is refused. `status` is what the endpoint answers (400 or 403). The
    reason is made safe here, so no caller can store or log a line break from the sender."""

    def __init__(self, reason: str, status: int = 400, *, forged: bool = False) -> None:
        reason = safe_reason(reason)
        super().__init__(reason)
        self.reason = reason
        self.status = status
        #: a signature/certificate problem: someone may be forging notifications
        self.forged = forged


class CertificateUnavailable(Exception):
    """The certificate could not be fetched: answer 503 so SNS tries again later. Its message
    names the URL the sender chose, so it is made safe like a reason."""

    def __init__(self, message: str) -> None:
        super().__init__(safe_reason(message))
