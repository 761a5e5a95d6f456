"""The package's loggers: no record they write can carry a line break from outside.

`get_logger` is how every module of the package gets its logger (a test holds it to that).
Its filter escapes the control characters (safetext.escape_controls) of each record's message
and arguments, and renders an attached exception with its messages escaped, so no call site
can forget it, whatever text from a client or from Amazon it logs. See docs/logs.md.
"""

from __future__ import annotations

import logging
import numbers
import traceback
from collections.abc import Mapping
from typing import Any

from .safetext import escape_controls

#: how many chained exceptions (cause, context) a rendered traceback follows
MAX_CHAIN = 20
_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


class _Escaped:
    """An argument that is neither text nor a number: shown as str() or repr() would show it,
    escaped when the record is formatted (not before: a record below the level costs nothing)."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __str__(self) -> str:
        return escape_controls(str(self.value))

    def __repr__(self) -> str:
        return escape_controls(repr(self.value))

    def __format__(self, spec: str) -> str:
        return escape_controls(format(self.value, spec))

    def __int__(self) -> int:  # "%d" of something int-like that is not a numbers.Number
        return int(self.value)  # type: ignore[call-overload]

    def __float__(self) -> float:
        return float(self.value)  # type: ignore[arg-type]

    def __index__(self) -> int:
        return self.value.__index__()  # type: ignore[attr-defined]


def _safe(value: Any) -> Any:
    if isinstance(value, str):
        return escape_controls(value)
    if value is None or isinstance(value, numbers.Number | _Escaped):
        return value  # "%d", "%.3f" keep working; a number cannot hold a line break
    return _Escaped(value)


def _exception_lines(exc: BaseException, chunks: list[str], seen: set[int], depth: int) -> None:
    seen.add(id(exc))
    cause, context = exc.__cause__, exc.__context__
    if depth < MAX_CHAIN and cause is not None and id(cause) not in seen:
        _exception_lines(cause, chunks, seen, depth + 1)
        chunks.append(_CAUSE)
    elif (
        depth < MAX_CHAIN
        and context is not None
        and not exc.__suppress_context__
        and id(context) not in seen
    ):
        _exception_lines(context, chunks, seen, depth + 1)
        chunks.append(_CONTEXT)
    if exc.__traceback__ is not None:
        chunks.append("Traceback (most recent call last):\n")
        chunks.extend(traceback.format_tb(exc.__traceback__))  # our source lines, not input
    for chunk in traceback.format_exception_only(type(exc), exc):
        # the message (and notes) may quote anything: one line each
        ends = chunk.endswith("\n")
        chunks.append(escape_controls(chunk[:-1] if ends else chunk) + ("\n" if ends else ""))


def format_exception(exc: BaseException) -> str:
    """The traceback Python prints for `exc` (with its causes), each exception's message on
    one line: the frames come from our source files, the messages may quote input."""
    chunks: list[str] = []
    _exception_lines(exc, chunks, set(), 0)
    return "".join(chunks).rstrip("\n")


class EscapeControls(logging.Filter):
    """Escapes what a record got from outside: its message, its arguments, its exception."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _safe(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {key: _safe(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_safe(value) for value in record.args)
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            # formatters print exc_text when it is set instead of formatting exc_info again
            record.exc_text = format_exception(record.exc_info[1])
        return True


_FILTER = EscapeControls()


def get_logger(name: str) -> logging.Logger:
    """logging.getLogger(name) with the escaping filter on it (added once)."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, EscapeControls) for f in logger.filters):
        logger.addFilter(_FILTER)
    return logger
