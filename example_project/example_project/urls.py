"""The shop, the Amazon Pay API, the admin, and the embedded simulator (development only)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("amazon-pay/api/", include("django_amazonpay.api.urls")),
]
if settings.DEBUG:
    # never routed in production: with DEBUG off `manage.py check` reports a routed simulator
    urlpatterns.append(path(settings.SIMULATOR_PREFIX, include("django_amazonpay.sandbox.urls")))
urlpatterns.append(path("", include("shop.urls")))
