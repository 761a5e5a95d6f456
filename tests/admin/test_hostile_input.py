"""Hostile input against every admin button, property-based: never a server error.

Every object action of every registered admin (found from the admin site, so a new button is
covered without editing this file), with any method, any object id in the URL (real, another
model's, missing, NUL and control bytes, huge, not a number), any form fields (amounts huge,
negative, NaN, 1e999, over-precise, full-width digits...), with and without the CSRF token;
and every bulk action (the IPN inbox's too) with hostile selections. A POST without the
token is refused with 403.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from django_amazonpay.admin.views import ObjectActionsMixin
from django_amazonpay.models import Authorization, Capture, OrderReference, Refund
from tests.hostile_settings import hostile_settings

pytestmark = pytest.mark.django_db

HYPOTHESIS = hostile_settings(150)


def object_actions() -> list[tuple[type, str]]:
    """(model, URL name) of every button of every admin registered with buttons."""
    found = []
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, ObjectActionsMixin):
            for action in model_admin.object_actions:
                found.append((model, f"admin:{model_admin.action_url_name(action)}"))
    return sorted(found, key=lambda pair: pair[1])


ACTIONS = object_actions()

NASTY = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "1e999", "-1e999", "1E+3", "NaN", "sNaN", "-inf", "Infinity", "9" * 400,
            "1" + "0" * 30, "99999999999999999999", "-100", "-0", "0", "0.0000000001",
            "100.5", "6500.000", "１２３", "1_000", "1,000", " 100 ", "\x00", "1\x00",
            "\x01\x1f\x7f", "' OR 1=1 --", "<script>alert(1)</script>", "💴" * 50, "x" * 5000,
            "", "1", "100", "6500", "7000",
        ]
    ),
)  # fmt: skip

HOSTILE_IDS = st.one_of(
    st.text(min_size=1, max_size=20),
    st.sampled_from(
        ["0", "-1", "99999999999999999999999", "9" * 400, "1e3", "１", "abc", "\x00", "1\x00",
         "%00", "..", "_2F", "1 OR 1=1", "S03-0000000-0000000", "🙂"]
    ),
)  # fmt: skip


@pytest.fixture
def world(captured: Any, authorized: Any, sim: Any) -> dict[str, Any]:
    """Objects every button applies to: an Open authorization, a Completed capture with a
    refund, an order reference of each."""
    from django_amazonpay import services

    cap = captured()
    services.refund(cap, amount="100")
    auth = authorized()
    return {
        OrderReference: [auth.order_reference_id, cap.order_reference_id],
        Authorization: [auth.pk, cap.authorization_id],
        Capture: [cap.pk],
        Refund: list(Refund.objects.values_list("pk", flat=True)),
    }


def _clients() -> tuple[Client, Client]:
    user = User.objects.create_superuser("hostile", email="hostile@example.com")
    lax, strict = Client(), Client(enforce_csrf_checks=True)
    lax.force_login(user)
    strict.force_login(user)
    return lax, strict


def action_url(name: str, object_id: str) -> str:
    marker = reverse(name, args=["0"])
    return marker.replace("/0/", "/" + quote(object_id, safe="") + "/", 1)


@st.composite
def requests(draw: Any, world: dict[str, Any]) -> tuple[str, str, dict[str, Any], bool]:
    model, name = draw(st.sampled_from(ACTIONS))
    own = [str(pk) for pk in world[model]]
    foreign = [str(pk) for ids in world.values() for pk in ids]
    object_id = draw(st.one_of(st.sampled_from(own), st.sampled_from(foreign), HOSTILE_IDS))
    method = draw(st.sampled_from(["get", "post", "post", "post", "put", "delete", "head"]))
    fields = ["amount", "authorization", "capture", "seller_note", "reason", "item_1", "item_2"]
    values = st.one_of(NASTY, st.sampled_from(foreign))
    data = draw(st.dictionaries(st.sampled_from(fields), values, max_size=5))
    return method, action_url(name, object_id), data, draw(st.booleans())


def test_every_button_answers_hostile_input_without_a_server_error(world) -> None:
    lax, strict = _clients()

    @HYPOTHESIS
    @given(request=requests(world))
    def check(request: tuple[str, str, dict[str, Any], bool]) -> None:
        method, url, data, with_csrf = request
        client = lax if with_csrf else strict
        send = getattr(client, method)
        response = send(url, data) if method in ("get", "post", "head") else send(url)
        assert response.status_code < 500, (method, url, data, response.status_code)
        if method == "post" and not with_csrf:
            assert response.status_code == 403  # no token, nothing done

    check()


def bulk_actions() -> list[tuple[type, str]]:
    """(model, action name) of every bulk action of the app's admins (the IPN inbox's too)."""
    found = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "django_amazonpay":
            for name in model_admin.actions or ():
                found.append((model, name if isinstance(name, str) else name.__name__))
    return sorted(found, key=lambda pair: (pair[0]._meta.model_name, pair[1]))


@pytest.mark.parametrize(
    ("model", "action"), bulk_actions(), ids=lambda v: getattr(v, "__name__", v)
)
def test_every_bulk_action_answers_hostile_selections(world, model, action) -> None:
    lax, _strict = _clients()
    url = reverse(f"admin:django_amazonpay_{model._meta.model_name}_changelist")
    real = [str(pk) for pk in world.get(model, [])]
    ids = st.one_of(HOSTILE_IDS, st.sampled_from(real)) if real else HOSTILE_IDS

    @HYPOTHESIS
    @given(selected=st.lists(ids, max_size=4))
    def check(selected: list[str]) -> None:
        response = lax.post(url, {"action": action, "_selected_action": selected})
        assert response.status_code < 500, (selected, response.status_code)

    check()


def test_the_bulk_actions_of_every_admin_are_in_the_generated_test() -> None:
    assert {(m._meta.model_name, a) for m, a in bulk_actions()} >= {
        ("orderreference", "refresh_selected"),
        ("authorization", "refresh_selected"),
        ("capture", "refresh_selected"),
        ("refund", "refresh_selected"),
        ("ipnmessage", "reprocess_messages"),
    }


def test_every_button_is_in_the_generated_test() -> None:
    names = {name for _model, name in ACTIONS}
    assert {
        "admin:django_amazonpay_orderreference_capture",
        "admin:django_amazonpay_orderreference_refund",
        "admin:django_amazonpay_orderreference_close",
        "admin:django_amazonpay_orderreference_cancel",
        "admin:django_amazonpay_orderreference_refresh",
        "admin:django_amazonpay_authorization_capture",
        "admin:django_amazonpay_authorization_close_authorization",
        "admin:django_amazonpay_capture_refund",
        "admin:django_amazonpay_refund_refresh",
    } <= names
