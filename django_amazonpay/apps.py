from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmazonPayConfig(AppConfig):
    name = "django_amazonpay"
    verbose_name = _("Amazon Pay")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
