"""Every page renders: lists, change pages, confirmation pages; Japanese text included."""

from __future__ import annotations

import pytest

from django_amazonpay import services
from django_amazonpay.models import MwsCall, StateTransition

from .conftest import admin_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    ["orderreference", "authorization", "capture", "refund", "statetransition", "mwscall"],
)
def test_list_pages_render(admin_client, captured, model) -> None:
    services.refund(captured(), amount=1000)
    response = admin_client.get(admin_url(f"{model}_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_no_add_and_no_delete(admin_client, captured) -> None:
    cap = captured()
    assert admin_client.get(admin_url("orderreference_add")).status_code == 403
    url = admin_url("orderreference_delete", cap.order_reference_id)
    assert admin_client.get(url).status_code == 403
    assert admin_client.get(admin_url("statetransition_add")).status_code == 403
    assert admin_client.get(admin_url("mwscall_add")).status_code == 403


def test_order_reference_page_shows_everything(admin_client, captured) -> None:
    cap = captured()
    ref = services.refund(cap, amount=1000).refund
    oro = cap.order_reference
    response = admin_client.get(admin_url("orderreference_change", oro.pk))
    assert response.status_code == 200
    html = response.content.decode()
    # amounts and the order snapshot, in Japanese where the shop wrote Japanese
    assert "6,500 JPY" in html
    assert "ロングTシャツ" in html and "Tシャツ" in html
    assert "初売りクーポン" in html
    assert "500 JPY" in html and "1,000 JPY" in html
    # the buyer and the address (JP: prefecture in StateOrRegion)
    assert oro.buyer_name and oro.buyer_name in html
    assert oro.destination.get("state_or_region", "") in html
    # its payments
    for obj in (cap.authorization, cap, ref):
        assert str(obj) in html
    # one timeline with every object's transitions, in order
    timeline = response.context["amazonpay_timeline"]
    assert [t.pk for t in timeline] == list(
        StateTransition.objects.filter(order_reference=oro)
        .order_by("observed_at", "id")
        .values_list("pk", flat=True)
    )
    kinds = {t.object_kind for t in timeline}
    assert kinds == {"order_reference", "authorization", "capture", "refund"}
    assert 'id="amazonpay-timeline"' in html
    # read-only: no save button
    assert 'name="_save"' not in html


@pytest.mark.parametrize("model", ["authorization", "capture", "refund"])
def test_payment_pages_render_with_their_timeline(admin_client, captured, model) -> None:
    cap = captured()
    ref = services.refund(cap, amount=1000).refund
    obj = {"authorization": cap.authorization, "capture": cap, "refund": ref}[model]
    response = admin_client.get(admin_url(f"{model}_change", obj.pk))
    assert response.status_code == 200
    assert response.context["amazonpay_timeline"]
    assert all(getattr(t, f"{model}_id") == obj.pk for t in response.context["amazonpay_timeline"])
    assert str(obj.order_reference) in response.content.decode()


def test_history_pages_render(admin_client, captured) -> None:
    cap = captured()
    transition = StateTransition.objects.filter(capture=cap).first()
    call = MwsCall.objects.filter(operation="Capture").first()
    response = admin_client.get(admin_url("statetransition_change", transition.pk))
    assert response.status_code == 200
    response = admin_client.get(admin_url("mwscall_change", call.pk))
    assert response.status_code == 200
    assert "Capture" in response.content.decode()


def test_buttons_follow_the_state(admin_client, authorized) -> None:
    auth = authorized()
    response = admin_client.get(admin_url("orderreference_change", auth.order_reference_id))
    labels = [str(b["label"]) for b in response.context["amazonpay_buttons"]]
    assert labels == ["Capture", "Close", "Cancel", "Refresh from Amazon"]
    response = admin_client.get(admin_url("authorization_change", auth.pk))
    labels = [str(b["label"]) for b in response.context["amazonpay_buttons"]]
    assert labels == ["Capture", "Close authorization", "Refresh from Amazon"]
    services.capture(auth)
    response = admin_client.get(admin_url("orderreference_change", auth.order_reference_id))
    labels = [str(b["label"]) for b in response.context["amazonpay_buttons"]]
    assert labels == ["Refund", "Close", "Refresh from Amazon"]
    assert "Refund" in response.content.decode()


@pytest.mark.parametrize(
    ("model", "action"),
    [
        ("orderreference", "capture"),
        ("orderreference", "close"),
        ("orderreference", "cancel"),
        ("orderreference", "refresh"),
        ("authorization", "capture"),
        ("authorization", "close_authorization"),
        ("authorization", "refresh"),
    ],
)
def test_confirmation_pages_render(admin_client, authorized, model, action) -> None:
    auth = authorized()
    obj = auth.order_reference if model == "orderreference" else auth
    response = admin_client.get(admin_url(f"{model}_{action}", obj.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "csrfmiddlewaretoken" in html
    assert 'method="post"' in html
    assert str(obj) in html


@pytest.mark.parametrize("model", ["orderreference", "capture"])
def test_refund_page_renders_with_items(admin_client, captured, model) -> None:
    cap = captured()
    obj = cap.order_reference if model == "orderreference" else cap
    response = admin_client.get(admin_url(f"{model}_refund", obj.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tシャツ (M) x 2 @ 2,000 JPY" in html
    assert "ロングTシャツ x 1 @ 3,000 JPY" in html


def test_capture_page_prefills_the_remaining_amount(admin_client, authorized) -> None:
    auth = authorized()
    response = admin_client.get(admin_url("orderreference_capture", auth.order_reference_id))
    form = response.context["form"]
    assert form.initial["authorization"] == auth.pk
    assert form.initial["amount"] == auth.amount - auth.captured_amount == 6500
    assert str(form.initial["amount"]) == "6500"  # JPY: no decimals shown
    assert 'value="6500' in response.content.decode()


def test_refund_and_capture_pages_render_on_their_own_objects(admin_client, captured) -> None:
    cap = captured()
    ref = services.refund(cap, amount=100).refund
    assert admin_client.get(admin_url("refund_refresh", ref.pk)).status_code == 200
    assert admin_client.get(admin_url("capture_refresh", cap.pk)).status_code == 200


def test_unavailable_action_redirects_with_a_warning(admin_client, captured) -> None:
    cap = captured()
    url = admin_url("orderreference_cancel", cap.order_reference_id)
    response = admin_client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == admin_url(
        "orderreference_change", cap.order_reference_id
    )
    assert "not possible" in response.content.decode()


def test_unknown_object_redirects(admin_client, db) -> None:
    response = admin_client.get(admin_url("orderreference_capture", 999999))
    assert response.status_code == 302


def test_pages_render_in_japanese(admin_client, captured, settings) -> None:
    settings.LANGUAGE_CODE = "ja"
    cap = captured()
    for url in (
        admin_url("orderreference_change", cap.order_reference_id),
        admin_url("orderreference_refund", cap.order_reference_id),
        admin_url("orderreference_changelist"),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "ホーム" in html  # Django's own Japanese catalogue is active
        assert "Tシャツ" in html or "吉田" in html or "gmail" in html
    # the app's own strings go through the catalogue
    from django.utils import translation

    with translation.override("ja"):
        heading = translation.gettext("State history")
    html = admin_client.get(admin_url("orderreference_change", cap.order_reference_id)).content
    assert heading in html.decode()
