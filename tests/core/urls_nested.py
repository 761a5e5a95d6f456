"""The same, nested below includes of the host's own, the simulator by simulator_urls()."""

from django.urls import include, path

from django_amazonpay.sandbox.urls import simulator_urls

shop = (
    [
        path("api/", include("django_amazonpay.api.urls")),
        path("notify/", include("django_amazonpay.ipn.urls", namespace="notifications")),
    ],
    "shop",
)
urlpatterns = [
    path("shop/", include(shop)),
    path("dev/", include([path("sim/", include(simulator_urls(lambda: None)))])),
]
