"""One money action per order at a time: a second click while the first is with Amazon, or
right after it finished, sends nothing, writes no admin history and says so."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import LogEntry

from django_amazonpay.models import Capture, MwsCall
from django_amazonpay.services.claims import claim
from tests.admin.conftest import admin_url, messages_of
from tests.elsewhere import held_elsewhere

pytestmark = pytest.mark.django_db(transaction=True)


def capture(staff: Any, auth: Any) -> Any:
    return staff.post(
        admin_url("authorization_capture", auth.pk),
        {"authorization": auth.pk, "amount": "4000"},
        follow=True,
    )


def test_a_capture_while_another_is_with_amazon_sends_nothing(staff: Any, authorized: Any) -> None:
    auth = authorized()
    calls = MwsCall.objects.count()
    with held_elsewhere(lambda: claim(f"admin-action:{auth.order_reference_id}")):
        response = capture(staff, auth)
    assert any("was not done" in m for m in messages_of(response))
    assert not Capture.objects.exists()
    assert MwsCall.objects.count() == calls
    assert not LogEntry.objects.exists()
    assert any("Captured" in m for m in messages_of(capture(staff, auth)))  # now it runs
    assert Capture.objects.count() == 1 and LogEntry.objects.count() == 1


def test_a_capture_clicked_again_after_it_was_done_is_not_logged_twice(
    staff: Any, authorized: Any
) -> None:
    auth = authorized()
    capture(staff, auth)
    response = capture(staff, auth)  # the page was still open: the button pressed again
    assert any("was not done" in m or "not possible" in m for m in messages_of(response))
    assert Capture.objects.count() == 1 and LogEntry.objects.count() == 1
