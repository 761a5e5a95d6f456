from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("amazon-pay/", include("django_amazonpay.ipn.urls")),
]
