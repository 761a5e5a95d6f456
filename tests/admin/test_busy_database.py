"""A lock another request held too long ("database is locked" on SQLite, a lock timeout or
deadlock on PostgreSQL) is a message on the page, never a server error.

The real lock, held by another connection, is in tests/concurrency/test_clicks.py; here the
services raise what the database driver raises, so every button is covered on any database.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError

from django_amazonpay import services
from django_amazonpay.models import Capture, Refund

from .conftest import admin_url, messages_of

pytestmark = pytest.mark.django_db

BUSY = "The database was busy with another request for this payment"


class _LockNotAvailable(Exception):
    sqlstate = "55P03"  # what psycopg's LockNotAvailable carries


def sqlite_locked() -> OperationalError:
    return OperationalError("database is locked")


def postgres_lock_timeout() -> OperationalError:
    error = OperationalError("canceling statement due to lock timeout")
    error.__cause__ = _LockNotAvailable()
    return error


def raising(error: Exception) -> Any:
    def service(*args: Any, **kwargs: Any) -> Any:
        raise error

    return service


@pytest.mark.parametrize("error", [sqlite_locked, postgres_lock_timeout])
@pytest.mark.parametrize(
    ("service", "url_name", "data"),
    [
        ("capture", "authorization_capture", {"amount": "6500"}),
        ("close_authorization", "authorization_close_authorization", {}),
        ("refresh", "authorization_refresh", {}),
        ("cancel_order", "orderreference_cancel", {}),
        ("close_order", "orderreference_close", {}),
    ],
)
def test_a_busy_database_is_a_message(
    staff, authorized, monkeypatch, error, service, url_name, data
) -> None:
    auth = authorized()
    monkeypatch.setattr(services, service, raising(error()))
    pk = auth.order_reference_id if url_name.startswith("orderreference") else auth.pk
    response = staff.post(admin_url(url_name, pk), {"authorization": auth.pk, **data})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/{pk}/change/")
    page = staff.get(response["Location"])
    assert any(BUSY in text for text in messages_of(page))
    assert not Capture.objects.exists()


def test_a_busy_database_on_refund_is_a_message(staff, captured, monkeypatch) -> None:
    cap = captured()
    monkeypatch.setattr(services, "refund", raising(sqlite_locked()))
    response = staff.post(admin_url("capture_refund", cap.pk), {"capture": cap.pk, "amount": "1"})
    assert response.status_code == 302
    assert any(BUSY in text for text in messages_of(staff.get(response["Location"])))
    assert not Refund.objects.exists()


def test_a_busy_database_in_the_bulk_refresh_is_a_message(staff, authorized, monkeypatch) -> None:
    auth = authorized()
    monkeypatch.setattr(services, "refresh", raising(postgres_lock_timeout()))
    response = staff.post(
        admin_url("orderreference_changelist"),
        {"action": "refresh_selected", "_selected_action": [auth.order_reference_id]},
        follow=True,
    )
    assert response.status_code == 200
    assert any(BUSY in text for text in messages_of(response))


def test_other_database_errors_are_not_hidden_as_busy(staff, authorized, monkeypatch) -> None:
    auth = authorized()
    monkeypatch.setattr(services, "capture", raising(OperationalError("no such table: x")))
    with pytest.raises(OperationalError, match="no such table"):
        staff.post(
            admin_url("authorization_capture", auth.pk),
            {"authorization": auth.pk, "amount": "6500"},
        )
