"""The storefront API: `path("amazon-pay/api/", include("django_amazonpay.api.urls"))`."""

from __future__ import annotations

from django.urls import path, re_path

from . import views
from .schema import SchemaView

app_name = "amazon_pay_api"

urlpatterns = [
    path("checkouts/", views.StartCheckoutView.as_view(), name="checkout-start"),
    path("checkouts/<str:oro_id>/", views.CheckoutView.as_view(), name="checkout"),
    path("checkouts/<str:oro_id>/order/", views.SetOrderView.as_view(), name="checkout-order"),
    path("checkouts/<str:oro_id>/confirm/", views.ConfirmView.as_view(), name="checkout-confirm"),
    path(
        "checkouts/<str:oro_id>/reconfirm/",
        views.ReconfirmView.as_view(),
        name="checkout-reconfirm",
    ),
    path("checkouts/<str:oro_id>/payment/", views.PaymentView.as_view(), name="checkout-payment"),
    path("checkouts/<str:oro_id>/cancel/", views.CancelView.as_view(), name="checkout-cancel"),
    path("schema/", SchemaView.as_view(), name="schema"),
    # (?s): a path with a line break (%0A) is unknown too, not Django's HTML 404
    re_path(r"^(?P<rest>(?s:.*))$", views.not_found, name="not-found"),
]
