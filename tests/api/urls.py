from django.urls import include, path

urlpatterns = [
    path("amazon-pay/api/", include("django_amazonpay.api.urls")),
]
