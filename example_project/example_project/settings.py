"""Settings of the example shop: SQLite, the embedded Amazon Pay simulator, English/Japanese.

Environment: EXAMPLE_DB_PATH (SQLite file), AMAZON_PAY_ENDPOINT (the simulator's URL; the
`demo` command sets it from its address), CELERY_BROKER_URL (none: tasks run eagerly),
DEMO_DEBUG (default on).
"""

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-shop-demo-only-not-secret")
DEBUG = os.environ.get("DEMO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_amazonpay",
    "shop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example_project.urls"
WSGI_APPLICATION = "example_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shop.views.cart_count",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("EXAMPLE_DB_PATH", str(BASE_DIR / "db.sqlite3")),
        # two clicks at once must queue, not fail with "database is locked": every transaction
        # takes SQLite's write lock when it begins, and waits up to 20 s for it (Django 5.1+;
        # django_amazonpay/docs/settings.md, SQLite)
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Tokyo"

STATIC_URL = "/static/"
LOGIN_URL = "/admin/login/"

SIMULATOR_PREFIX = "amazonpay-sandbox/"
AMAZON_PAY = {
    "SELLER_ID": "A1DEMOSELLER00",
    "ACCESS_KEY": "AKIADEMOACCESSKEY",
    "SECRET_KEY": "demo-secret-key-not-secret",
    "CLIENT_ID": "amzn1.application-oa2-client.demo",
    "REGION": "jp",
    "SANDBOX": True,
    "ENDPOINT": os.environ.get(
        "AMAZON_PAY_ENDPOINT", "http://127.0.0.1:8000/" + SIMULATOR_PREFIX.rstrip("/")
    ),
    "THROTTLE": False,
    "MAX_RETRIES": 1,
    "STORE_NAME": "Django Amazon Pay demo shop",
    "ORDER_RESOLVER": "shop.resolver.resolve_order",
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django_amazonpay": {"handlers": ["console"], "level": "INFO"}},
}
