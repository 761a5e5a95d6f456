"""Why a delivery is refused, or cannot be checked yet."""

from __future__ import annotations

import re

#: reasons are stored, logged and answered: long attacker-chosen values are cut to this
REASON_LIMIT = 500
#: what no database text column, log file or JSON answer can carry: NUL and lone surrogates
#: (a JSON string may spell "\ud800"; SNS never sends either)
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` with NUL and lone surrogates replaced, so hostile values are stored, not a 500."""
    return UNSTORABLE.sub("\ufffd", text)


class Rejected(Exception):
    """The delivery is refused. `status` is what the endpoint answers (400 or 403)."""

    def __init__(self, reason: str, status: int = 400, *, forged: bool = False) -> None:
        reason = storable(
            reason if len(reason) <= REASON_LIMIT else reason[: REASON_LIMIT - 1] + "…"
        )
        super().__init__(reason)
        self.reason = reason
        self.status = status
        #: a signature/certificate problem: someone may be forging notifications
        self.forged = forged


class CertificateUnavailable(Exception):
    """The certificate could not be fetched: answer 503 so SNS tries again later."""
