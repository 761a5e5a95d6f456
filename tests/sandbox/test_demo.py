import io

import pytest

from django_amazonpay.sandbox import demo


@pytest.mark.parametrize("region", ["jp", "us", "uk", "de"])
def test_scripted_checkout_reaches_every_expected_state(region):
    out = io.StringIO()
    assert demo.run(region, out=out) == 0
    text = out.getvalue()
    assert "8/8 steps as expected" in text
    assert "!!" not in text
