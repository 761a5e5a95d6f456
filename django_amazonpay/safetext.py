"""Text from outside (a client, a header, an id, Amazon's answer) made safe to log, store and
echo: every character that can break or reorder a line is escaped, not kept.

A line break in a value that reaches a log line starts a line of its own, which a reader or a
log shipper takes for a record the app wrote (log injection). See docs/logs.md.
"""

from __future__ import annotations

import re

#: C0 and C1 controls (CR, LF, TAB, VT, FF, NEL, the separators 0x1c-0x1e, ESC...) and DEL,
#: the Unicode line and paragraph separators, lone surrogates (no log file or database can
#: encode them), and the bidirectional controls that reorder how a line is displayed
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: what quoted() keeps of a long value
QUOTE_LIMIT = 200


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: object) -> str:
    """`text` (str() of anything else) on one line: each unsafe character as `\\n`, `\\x1b`,
    `\\u2028`... Everything else, Japanese and emoji included, is kept as it is."""
    value = text if isinstance(text, str) else str(text)
    return UNSAFE.sub(_escape, value)


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """`value` as repr() shows a string: in quotes, every non-printable character escaped, cut
    after `limit` characters. For a value quoted inside a message (where it ends is clear)."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return repr(text)
