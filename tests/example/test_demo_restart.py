"""`manage.py demo` run again on the same SQLite file: the simulator mounted in the project
starts empty, so it must not hand out the order reference ids the database already holds
(the second checkout used to answer 404 "No such checkout.")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.example.demo_server import demo_server
from tests.example.test_demo import _amazon_order_reference, _api, _buyer

pytestmark = pytest.mark.slow


def test_checkout_after_restarting_the_demo_on_the_same_database(tmp_path: Path) -> None:
    issued: list[str] = []
    for _ in range(2):
        with demo_server(tmp_path) as shop:  # same tmp_path: the same demo.sqlite3
            session, _order_id = _buyer(shop)
            amazon = _amazon_order_reference(shop)
            started = session.post(_api(shop), json=amazon, timeout=20)
            assert started.status_code == 201, started.text
            issued.append(amazon["amazon_order_reference_id"])
    assert issued[0] != issued[1]
