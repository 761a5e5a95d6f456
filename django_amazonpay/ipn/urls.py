"""`path("amazon-pay/", include("django_amazonpay.ipn.urls"))` -> POST amazon-pay/ipn/.

Any other URL below ipn/ (and ipn without its slash) is a JSON 404 in the endpoint's error
shape; nothing else under the include's prefix is claimed, so the API may share it.
"""

from __future__ import annotations

from django.urls import path, re_path

from .views import ipn_view, not_found

app_name = "amazon_pay_ipn"

urlpatterns = [
    path("ipn/", ipn_view, name="ipn"),
    # (?s): a path with a line break in it is still ours to answer
    re_path(r"^ipn(?:/(?P<rest>(?s:.+)))?$", not_found, name="not-found"),
]
