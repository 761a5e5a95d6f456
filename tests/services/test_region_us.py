"""A US shop: USD amounts with cents, US addresses with City (spec 2.3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from django_amazonpay import services
from django_amazonpay.services import ItemSnapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def amazon_pay_simulator_credentials(settings: Any) -> dict[str, str]:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "REGION": "us"}
    from django_amazonpay.testing import simulator_credentials

    return simulator_credentials()


def test_us_checkout_and_address(sim) -> None:
    oro = services.start_checkout(sim.create_order_reference(), access_token="token")
    oro = services.set_order_details(
        oro,
        items=[ItemSnapshot(title="Mug", unit_price=Decimal("12.50"), quantity=2)],
        shipping_fee=Decimal("4.99"),
        seller_order_id="US-1",
    )
    assert (oro.amount, oro.currency) == (Decimal("29.99"), "USD")
    oro = services.confirm(oro)
    assert oro.destination["city"]
    assert oro.destination["state_or_region"]
    assert oro.destination["country_code"] == "US"
    auth = services.authorize(oro, synchronous=True).authorization
    with pytest.raises(services.InvalidAmountError):
        services.capture(auth, amount="1.001")
    cap = services.capture(auth, amount="10.25").capture
    assert cap.amount == Decimal("10.25")
