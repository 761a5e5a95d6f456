"""Concurrent clicks on the running demo (`manage.py demo`: threaded runserver, its SQLite
file, the example project's settings): confirm through the API, capture and refund through
the admin. Each answer is a success, a 409 or the admin's message; never a server error,
never "database is locked"; the money moves once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.concurrency.conftest import race
from tests.example.demo_server import DemoServer, demo_server, staff_session
from tests.example.test_demo import _amazon_order_reference, _api, _buyer

pytestmark = pytest.mark.slow

N = 12


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoServer, Path]]:
    directory = tmp_path_factory.mktemp("demo-clicks")
    with demo_server(directory) as server:
        yield server, directory / "demo.sqlite3"


def rows(db: Path, sql: str, *params: Any) -> list[tuple]:
    with sqlite3.connect(db, timeout=20) as connection:
        return connection.execute(sql, params).fetchall()


def copies(session: requests.Session, n: int) -> list[requests.Session]:
    """`n` sessions with the same cookies and headers (one browser, many clicks)."""
    made = []
    for _ in range(n):
        copy = requests.Session()
        copy.cookies.update(session.cookies)
        copy.headers.update(session.headers)
        made.append(copy)
    return made


def authorized_checkout(shop: DemoServer, db: Path) -> tuple[str, int]:
    session, order_id = _buyer(shop)
    amazon = _amazon_order_reference(shop)
    oro_id = amazon["amazon_order_reference_id"]
    session.post(_api(shop), json=amazon, timeout=20).raise_for_status()
    session.post(_api(shop, f"{oro_id}/order/"), json={"order_id": order_id}, timeout=20)
    confirmed = session.post(_api(shop, f"{oro_id}/confirm/"), timeout=20)
    assert confirmed.status_code == 200, confirmed.text
    ((auth_pk,),) = rows(
        db,
        "SELECT a.id FROM django_amazonpay_authorization a JOIN django_amazonpay_orderreference o"
        " ON a.order_reference_id = o.id WHERE o.amazon_order_reference_id = ?",
        oro_id,
    )
    return oro_id, auth_pk


def no_server_errors(shop: DemoServer, answers: list[Any]) -> None:
    assert not [a for a in answers if isinstance(a, Exception)], answers
    assert all(a.status_code < 500 for a in answers), [a.status_code for a in answers]
    log = shop.log()
    assert "database is locked" not in log and "Internal Server Error" not in log


def test_one_buyer_clicking_confirm_many_times_authorizes_once(shop) -> None:
    server, db = shop
    session, order_id = _buyer(server)
    amazon = _amazon_order_reference(server)
    oro_id = amazon["amazon_order_reference_id"]
    session.post(_api(server), json=amazon, timeout=20).raise_for_status()
    ordered = session.post(_api(server, f"{oro_id}/order/"), json={"order_id": order_id})
    assert ordered.status_code == 200, ordered.text
    clicks = copies(session, N)
    answers = race(N, lambda i: clicks[i].post(_api(server, f"{oro_id}/confirm/"), timeout=60))
    no_server_errors(server, answers)
    assert {a.status_code for a in answers} <= {200, 409}, [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert set(answer.json()) == {"error", "error_description"}
    authorizations = rows(
        db,
        "SELECT a.state FROM django_amazonpay_authorization a JOIN django_amazonpay_orderreference"
        " o ON a.order_reference_id = o.id WHERE o.amazon_order_reference_id = ?",
        oro_id,
    )
    assert authorizations == [("Open",)]


def test_staff_clicking_capture_many_times_captures_once(shop) -> None:
    server, db = shop
    _oro_id, auth_pk = authorized_checkout(server, db)
    url = f"{server.url}admin/django_amazonpay/authorization/{auth_pk}/capture/"
    clicks = copies(staff_session(server.url), N)
    answers = race(
        N, lambda i: clicks[i].post(url, data={"authorization": auth_pk, "amount": "4100"},
                                    allow_redirects=False, timeout=60)
    )  # fmt: skip
    no_server_errors(server, answers)
    assert {a.status_code for a in answers} <= {200, 302}
    captures = rows(db, "SELECT state FROM django_amazonpay_capture WHERE authorization_id = ?",
                    auth_pk)  # fmt: skip
    assert captures == [("Completed",)]


def test_staff_clicking_refund_many_times_stays_within_the_limit(shop) -> None:
    server, db = shop
    _oro_id, auth_pk = authorized_checkout(server, db)
    staff = staff_session(server.url)
    captured = staff.post(
        f"{server.url}admin/django_amazonpay/authorization/{auth_pk}/capture/",
        data={"authorization": auth_pk, "amount": "4100"}, allow_redirects=False, timeout=60,
    )  # fmt: skip
    assert captured.status_code == 302
    ((cap_pk,),) = rows(db, "SELECT id FROM django_amazonpay_capture WHERE authorization_id = ?",
                        auth_pk)  # fmt: skip
    url = f"{server.url}admin/django_amazonpay/capture/{cap_pk}/refund/"
    clicks = copies(staff, N)
    answers = race(
        N, lambda i: clicks[i].post(url, data={"capture": cap_pk, "amount": "1000"},
                                    allow_redirects=False, timeout=60)
    )  # fmt: skip
    no_server_errors(server, answers)
    assert {a.status_code for a in answers} <= {200, 302}
    refunds = rows(
        db,
        "SELECT amount FROM django_amazonpay_refund WHERE capture_id = ?"
        " AND attempt_state != 'failed'",
        cap_pk,
    )
    # 4,100 captured: refunds may reach 4,100 + 15 % = 4,715 JPY, so at most 4 of 1,000
    assert 1 <= len(refunds) <= 4
