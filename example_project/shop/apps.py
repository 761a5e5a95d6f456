from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = _("Shop")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_amazonpay.models import OrderReference
        from django_amazonpay.signals import order_reference_changed

        from .payment import on_order_reference_changed

        # every state Amazon reports (response, poll, IPN, staff button) settles the order
        order_reference_changed.connect(
            on_order_reference_changed,
            sender=OrderReference,
            dispatch_uid="shop.payment.on_order_reference_changed",
        )
