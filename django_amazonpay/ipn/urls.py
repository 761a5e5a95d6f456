"""`path("amazon-pay/", include("django_amazonpay.ipn.urls"))` -> POST amazon-pay/ipn/."""

from __future__ import annotations

from django.urls import path

from .views import ipn_view

app_name = "amazon_pay_ipn"

urlpatterns = [
    path("ipn/", ipn_view, name="ipn"),
]
