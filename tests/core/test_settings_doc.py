"""docs/settings.md names every check id a key gets, as `manage.py check` prints it: a user
who sees `django_amazonpay.W045` must find it there."""

from __future__ import annotations

from pathlib import Path

from django_amazonpay.checks import _id
from django_amazonpay.conf import DEFAULTS

DOC = Path(__file__).resolve().parents[2] / "django_amazonpay" / "docs" / "settings.md"


def test_every_key_is_listed_with_the_id_its_error_gets() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [
        f"{_id(key)[-4:]} {key}" for key in DEFAULTS if f"`{_id(key)[-4:]}` `{key}`" not in text
    ]
    assert not missing, f"settings.md does not list: {missing}"


def test_the_proxy_warning_is_listed_under_its_id() -> None:
    assert f"| `{_id('TRUSTED_PROXIES', warning=True)[-4:]}` (`TRUSTED_PROXIES`)" in (
        DOC.read_text(encoding="utf-8")
    )
