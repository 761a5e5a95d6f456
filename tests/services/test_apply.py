"""The one apply function's rules (issue 4 item 2), with hand-made details: no network."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from unittest import mock

import pytest

from django_amazonpay import signals
from django_amazonpay.amounts import Amount
from django_amazonpay.models import Authorization, OrderReference, StateTransition
from django_amazonpay.mws.types import (
    Address,
    AuthorizationDetails,
    Buyer,
    OrderReferenceDetails,
    Status,
)
from django_amazonpay.services.sync import address_to_dict, apply_details

pytestmark = pytest.mark.django_db

T0 = datetime(2018, 2, 17, 15, 19, 15, tzinfo=timezone.utc)
ORO_ID = "S03-1571525-4435073"


def oro_details(state: str, at: datetime | None = T0, **kwargs) -> OrderReferenceDetails:
    return OrderReferenceDetails(
        amazon_order_reference_id=ORO_ID,
        status=Status(state, kwargs.pop("reason", None), None, at),
        order_total=Amount(Decimal("13800"), "JPY"),
        **kwargs,
    )


@pytest.fixture
def oro() -> OrderReference:
    obj = OrderReference(amazon_order_reference_id=ORO_ID, state="", currency="JPY")
    apply_details(obj, oro_details("Draft", None), source="response")
    return obj


def test_first_observation_creates_one_transition(oro: OrderReference) -> None:
    t = StateTransition.objects.get()
    assert (t.from_state, t.to_state, t.source, t.object_kind) == (
        "",
        "Draft",
        "response",
        "order_reference",
    )
    assert oro.amount == Decimal("13800")


def test_a_draft_seen_after_open_is_an_overtaken_answer(oro: OrderReference) -> None:
    """Draft has no LastUpdateTimestamp, but nothing goes back to Draft (spec 3.1)."""
    apply_details(oro, oro_details("Open"), source="response")
    assert apply_details(oro, oro_details("Draft", None), source="response") is None
    oro.refresh_from_db()
    assert oro.state == "Open"
    assert list(StateTransition.objects.values_list("to_state", flat=True)) == ["Draft", "Open"]


def test_same_observation_twice_is_one_transition(oro: OrderReference) -> None:
    apply_details(oro, oro_details("Open"), source="poll", request_id="r1")
    apply_details(oro, oro_details("Open"), source="ipn", request_id="r2")
    assert list(StateTransition.objects.values_list("to_state", flat=True)) == ["Draft", "Open"]
    t = StateTransition.objects.last()
    assert (t.source, t.request_id, t.amazon_timestamp) == ("poll", "r1", T0)


def test_older_details_are_ignored(oro: OrderReference) -> None:
    apply_details(oro, oro_details("Closed", T0 + timedelta(minutes=5)), source="ipn")
    assert apply_details(oro, oro_details("Open", T0), source="ipn") is None
    oro.refresh_from_db()
    assert oro.state == "Closed"
    assert StateTransition.objects.count() == 2


def test_reason_change_alone_is_a_transition(oro: OrderReference) -> None:
    apply_details(oro, oro_details("Open"), source="poll")
    t = apply_details(
        oro, oro_details("Open", T0 + timedelta(seconds=1), reason="X"), source="poll"
    )
    assert t is not None and (t.from_state, t.to_state, t.reason_code) == ("Open", "Open", "X")


def test_disallowed_transition_is_warned_and_applied(oro: OrderReference, caplog) -> None:
    apply_details(oro, oro_details("Closed"), source="poll")
    with caplog.at_level(logging.WARNING, logger="django_amazonpay.states"):
        t = apply_details(oro, oro_details("Open", T0 + timedelta(hours=1)), source="ipn")
    assert t is not None and t.allowed is False
    oro.refresh_from_db()
    assert oro.state == "Open"
    assert "unexpected order_reference transition" in caplog.text


def test_signal_is_sent_after_commit_only(oro: OrderReference, django_capture_on_commit_callbacks):
    receiver = mock.Mock()
    signals.order_reference_opened.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            t = apply_details(oro, oro_details("Open"), source="poll")
        receiver.assert_not_called()  # not committed yet
        for callback in callbacks:
            callback()
        receiver.assert_called_once()
        kwargs = receiver.call_args.kwargs
        assert kwargs["instance"] == oro and kwargs["transition"] == t
        assert kwargs["sender"] is OrderReference
    finally:
        signals.order_reference_opened.disconnect(receiver)


def test_failing_receiver_is_logged_not_raised(oro, django_capture_on_commit_callbacks, caplog):
    def broken(**kwargs):
        raise RuntimeError("boom")

    signals.order_reference_opened.connect(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            apply_details(oro, oro_details("Open"), source="poll")
    finally:
        signals.order_reference_opened.disconnect(broken)
    assert "receiver" in caplog.text


def test_wrong_details_type_is_refused(oro: OrderReference) -> None:
    auth = AuthorizationDetails(
        amazon_authorization_id=f"{ORO_ID}-A000001",
        authorization_reference_id="x",
        status=Status("Open", last_update=T0),
        authorization_amount=Amount(Decimal("1"), "JPY"),
        captured_amount=Amount(Decimal("0"), "JPY"),
    )
    with pytest.raises(TypeError):
        apply_details(oro, auth, source="poll")
    row = Authorization(order_reference=oro, authorization_reference_id="x", currency="JPY")
    assert apply_details(row, auth, source="response").to_state == "Open"
    assert row.attempt_state == "done"


JP = Address(
    name="吉田一郎",
    address_line1="渋谷区神宮前2-2-2",
    state_or_region="東京都",
    postal_code="1500001",
    country_code="JP",
    phone="03-3333-4444",
)
US = Address(
    name="Susie Smith",
    address_line1="10 Ditka Ave",
    address_line2="Suite 2500",
    city="Chicago",
    state_or_region="IL",
    postal_code="60602",
    country_code="US",
)


def test_japanese_address_mapping(oro: OrderReference) -> None:
    apply_details(
        oro,
        oro_details("Open", destination=JP, buyer=Buyer("吉田一郎", "a@example.com")),
        source="poll",
    )
    oro.refresh_from_db()
    assert oro.destination["state_or_region"] == "東京都"  # the prefecture
    assert "city" not in oro.destination  # Japanese addresses have no City (spec 2.3)
    assert oro.destination["address_line1"] == "渋谷区神宮前2-2-2"
    assert oro.buyer_email == "a@example.com"


def test_coarse_disclosure_does_not_erase_the_full_address(oro: OrderReference) -> None:
    # a Draft read with the buyer's token sees everything; one without sees only the coarse
    # fields (spec 2.3, seed 000); the second must not erase what the first told us
    apply_details(oro, oro_details("Draft", None, destination=JP), source="response")
    coarse = Address(state_or_region="東京都", postal_code="1500001", country_code="JP")
    apply_details(oro, oro_details("Draft", None, destination=coarse), source="poll")
    oro.refresh_from_db()
    assert oro.destination == address_to_dict(JP)
    # a different address (the buyer chose another one) replaces it
    osaka = Address(state_or_region="大阪府", postal_code="5300001", country_code="JP")
    apply_details(oro, oro_details("Draft", None, destination=osaka), source="poll")
    oro.refresh_from_db()
    assert oro.destination == address_to_dict(osaka)


def test_us_address_mapping() -> None:
    stored = address_to_dict(US)
    assert stored["city"] == "Chicago" and stored["state_or_region"] == "IL"
    assert stored["address_line2"] == "Suite 2500"
    assert address_to_dict(None) == {}


def test_purged_order_keeps_no_personal_data(oro: OrderReference) -> None:
    oro.personal_data_purged_at = T0
    oro.save()
    apply_details(oro, oro_details("Open", destination=JP, buyer=Buyer("x", "y")), source="poll")
    oro.refresh_from_db()
    assert (oro.buyer_name, oro.destination) == ("", {})
