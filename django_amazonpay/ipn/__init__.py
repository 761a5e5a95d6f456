"""Instant Payment Notifications: the endpoint, SNS verification, parsing and the inbox (spec 6).

Include `django_amazonpay.ipn.urls` in the host's URLconf; the view is named
`amazon_pay_ipn:ipn` (docs/ipn.md).
"""
