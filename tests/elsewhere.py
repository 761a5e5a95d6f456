"""Hold something the way another request would: in another thread, so on another database
connection (PostgreSQL's advisory locks are re-entrant within one connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from django.db import connection


@contextmanager
def held_elsewhere(hold: Callable[[], AbstractContextManager[Any]]) -> Iterator[None]:
    """`hold()` entered in another thread for the duration of the block."""
    taken, done = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def other_request() -> None:
        try:
            with hold() as held:
                if held is False:  # a claim someone else has: the test would prove nothing
                    raise AssertionError("could not hold it")
                taken.set()
                done.wait(10)
        except BaseException as exc:
            failure.append(exc)
            taken.set()
        finally:
            connection.close()

    thread = threading.Thread(target=other_request)
    thread.start()
    taken.wait(10)
    if failure:
        raise failure[0]
    try:
        yield
    finally:
        done.set()
        thread.join()
