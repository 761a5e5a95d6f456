"""The MWS call log and the personal-data purge (issue 4 item 6); US address mapping."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import ProgrammingError
from django.utils import timezone

from django_amazonpay import services
from django_amazonpay.models import MwsCall, OrderReference
from django_amazonpay.mws.types import CallRecord
from django_amazonpay.services.calls import record_call

RECORD = CallRecord(
    operation="Authorize",
    object_id="S03-1571525-4435073",
    duration=0.25,
    attempts=2,
    http_status=200,
    outcome="ok",
    error_code=None,
    request_id="53cf7525-2f10-4b4c-a7c1-20e19744e3ce",
)


@pytest.mark.django_db
def test_every_call_is_recorded_without_payloads(sim, authorized) -> None:
    authorized()
    operations = list(MwsCall.objects.order_by("id").values_list("operation", flat=True))
    assert operations[:3] == [
        "GetOrderReferenceDetails",
        "SetOrderReferenceDetails",
        "ConfirmOrderReference",
    ]
    assert "Authorize" in operations
    call = MwsCall.objects.get(operation="Authorize")
    assert call.outcome == "ok" and call.request_id and call.http_status == 200
    assert call.object_id.startswith("S03-")
    fields = {f.name for f in MwsCall._meta.get_fields()}
    assert not fields & {"params", "body", "buyer_name", "secret_key", "amount"}


@pytest.mark.django_db
def test_orders_calls_are_recorded_too(sim) -> None:
    from django_amazonpay.client import get_orders_client

    sim.orders.add_order("249-1111111-2222222", [
        {"ASIN": "B000000001", "OrderItemId": "1", "QuantityOrdered": "3", "Title": "Tea"},
    ])  # fmt: skip
    items = list(get_orders_client().list_order_items("249-1111111-2222222"))
    assert [item.asin for item in items] == ["B000000001"]
    call = MwsCall.objects.get(operation="ListOrderItems")
    assert (call.object_id, call.outcome, call.http_status) == ("249-1111111-2222222", "ok", 200)


@pytest.mark.django_db(transaction=True)
def test_record_call_outside_a_transaction() -> None:
    record_call(RECORD)
    call = MwsCall.objects.get()
    assert (call.attempts, call.duration, call.error_code) == (2, 0.25, "")


@pytest.mark.django_db
def test_record_call_survives_a_missing_table(caplog) -> None:
    with mock.patch.object(MwsCall.objects, "create", side_effect=ProgrammingError("no table")):
        record_call(RECORD)  # no exception
    assert "MWS call log not written" in caplog.text


@pytest.mark.django_db
def test_capture_source_is_recorded(authorized) -> None:
    cap = services.capture(authorized(), source="admin").capture
    assert cap.transitions.get().source == "admin"


@pytest.fixture
def old_and_new(sim, open_order) -> tuple[OrderReference, OrderReference]:
    old, new = open_order(), open_order()
    OrderReference.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    return old, new


@pytest.mark.django_db
def test_purge_blanks_old_personal_data_only(old_and_new) -> None:
    old, new = old_and_new
    out = StringIO()
    call_command("purge_amazon_pay_personal_data", stdout=out)  # default: 365 days
    assert "1 order reference(s) purged" in out.getvalue()
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.buyer_name, old.buyer_email, old.destination) == ("", "", {})
    assert old.personal_data_purged_at is not None
    assert (old.amount, old.state) == (new.amount, "Open")  # money and states stay
    assert new.buyer_name and new.destination


@pytest.mark.django_db
def test_purge_dry_run_and_days(old_and_new) -> None:
    out = StringIO()
    call_command("purge_amazon_pay_personal_data", "--days", "0", "--dry-run", stdout=out)
    assert "2 order reference(s) would be purged" in out.getvalue()
    assert OrderReference.objects.exclude(buyer_name="").count() == 2
    call_command("purge_amazon_pay_personal_data", "--days", "0", stdout=StringIO())
    assert OrderReference.objects.exclude(buyer_name="").count() == 0


@pytest.mark.django_db
def test_japanese_address_from_the_simulator(sim, open_order) -> None:
    oro = open_order()
    assert oro.destination == {
        "name": "吉田一郎",
        "address_line1": "渋谷区神宮前2-2-2",
        "state_or_region": "東京都",
        "postal_code": "1500001",
        "country_code": "JP",
        "phone": "03-3333-4444",
    }
