"""ORDER_RESOLVER candidates for the configuration checks."""

from __future__ import annotations

from typing import Any

NOT_CALLABLE = {"order": "not a function"}


def good(request: Any, order_id: str) -> dict[str, Any]:
    return {"items": []}


def flexible(*args: Any, **kwargs: Any) -> None:
    return None


def takes_one(order_id: str) -> None:
    return None


def takes_three(request: Any, order_id: str, cart: Any) -> None:
    return None


def keyword_only(request: Any, *, order_id: str) -> None:
    return None


class Resolver:
    """A callable object is fine when its __call__ takes (request, order_id)."""

    def __call__(self, request: Any, order_id: str) -> None:
        return None


instance = Resolver()
uninspectable = max  # a builtin inspect.signature cannot read: trusted
