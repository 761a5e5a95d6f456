"""A host mounting everything the plain way: the API, the IPN endpoint and the simulator."""

from django.urls import include, path

urlpatterns = [
    path("amazon-pay/api/", include("django_amazonpay.api.urls")),
    path("amazon-pay/", include("django_amazonpay.ipn.urls")),
    path("amazonpay-sandbox/", include("django_amazonpay.sandbox.urls")),
]
